export {
  type FramedValue,
  frame,
  frameProtobuf,
  MAGIC_BYTE,
  unframe,
  unframeProtobuf,
  WireFormatError,
} from './wire-format';
