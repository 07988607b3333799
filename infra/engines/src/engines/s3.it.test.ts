import { randomBytes } from 'node:crypto';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { describeWithEngine } from '@trunkline/testing';

describeWithEngine('s3', 'the s3 engine', (env) => {
  const s3 = new S3Client({
    endpoint: env.S3_ENDPOINT,
    region: env.S3_REGION ?? 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: env.S3_ACCESS_KEY_ID!, secretAccessKey: env.S3_SECRET_ACCESS_KEY! },
  });
  const Bucket = env.S3_BUCKET!;
  const prefix = `engine-test-${randomBytes(4).toString('hex')}/`;

  afterAll(() => s3.destroy());

  it('puts and gets an object with @aws-sdk/client-s3', async () => {
    const Key = `${prefix}hello.json`;
    await s3.send(
      new PutObjectCommand({ Bucket, Key, Body: '{"hello":"lake"}', ContentType: 'application/json' }),
    );
    const got = await s3.send(new GetObjectCommand({ Bucket, Key }));
    expect(got.ContentType).toBe('application/json');
    expect(await got.Body?.transformToString()).toBe('{"hello":"lake"}');
    const listed = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: prefix }));
    expect(listed.Contents?.map((c) => c.Key)).toEqual([Key]);
  });

  it('refuses to overwrite with If-None-Match: * (what lakehouse commits rely on)', async () => {
    const Key = `${prefix}metadata/v1.json`;
    await s3.send(new PutObjectCommand({ Bucket, Key, Body: 'first', IfNoneMatch: '*' }));
    await expect(
      s3.send(new PutObjectCommand({ Bucket, Key, Body: 'second', IfNoneMatch: '*' })),
    ).rejects.toMatchObject({
      $metadata: { httpStatusCode: 412 },
    });
  });

  it('assembles a multipart upload', async () => {
    const Key = `${prefix}big.bin`;
    const parts = [randomBytes(5 * 1024 * 1024), randomBytes(1024)];
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const uploaded = [];
    for (const [index, Body] of parts.entries()) {
      const { ETag } = await s3.send(
        new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: index + 1, Body }),
      );
      uploaded.push({ ETag, PartNumber: index + 1 });
    }
    await s3.send(
      new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: uploaded } }),
    );
    const got = await s3.send(new GetObjectCommand({ Bucket, Key }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.concat(parts))).toBe(true);
  });
});
