package dev.trunkline.engines.debezium;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.Json;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Runs Debezium's embedded engine for bench/cdc and reports what its change consumer sees, as
 * JSON lines on stdout (Debezium's own log goes to stderr):
 *
 * <pre>
 *   {"event":"first-snapshot-record","ms":T}
 *   {"event":"snapshot-complete","rows":N,"ms":T}            once N snapshot ("r") records were seen
 *   {"event":"changes","samples":[[commitMs,seenMs],...]}     per batch of streamed records
 *   {"event":"engine-stopped","success":B,"message":"..."}
 * </pre>
 *
 * Arguments: the number of snapshot rows to expect, then the engine's properties as
 * key=value. It runs until its standard input closes, then closes the engine and exits.
 */
public final class DebeziumCdcBench {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final PrintStream OUT =
      new PrintStream(new BufferedOutputStream(System.out, 1 << 16), false, StandardCharsets.UTF_8);

  private long snapshotRows;
  private final long expectedSnapshotRows;

  private DebeziumCdcBench(long expectedSnapshotRows) {
    this.expectedSnapshotRows = expectedSnapshotRows;
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: DebeziumCdcBench SNAPSHOT_ROWS key=value...");
      System.exit(2);
    }
    Properties props = new Properties();
    for (int i = 1; i < args.length; i++) {
      int eq = args[i].indexOf('=');
      if (eq <= 0) throw new IllegalArgumentException("not key=value: " + args[i]);
      props.setProperty(args[i].substring(0, eq), args[i].substring(eq + 1));
    }
    DebeziumCdcBench bench = new DebeziumCdcBench(Long.parseLong(args[0]));
    DebeziumEngine<ChangeEvent<String, String>> engine =
        DebeziumEngine.create(Json.class)
            .using(props)
            .notifying(bench::handleBatch)
            .using(
                (success, message, error) -> {
                  emit(
                      "{\"event\":\"engine-stopped\",\"success\":"
                          + success
                          + ",\"message\":"
                          + quote(message + (error == null ? "" : ": " + error))
                          + "}");
                })
            .build();
    ExecutorService executor = Executors.newSingleThreadExecutor();
    executor.execute(engine);
    // Runs until the bench closes our standard input.
    while (System.in.read() != -1) {
      // Nothing is read from it; it only says when to stop.
    }
    engine.close();
    executor.shutdown();
    executor.awaitTermination(30, TimeUnit.SECONDS);
    OUT.flush();
    System.exit(0);
  }

  private void handleBatch(
      List<ChangeEvent<String, String>> records,
      DebeziumEngine.RecordCommitter<ChangeEvent<String, String>> committer)
      throws InterruptedException {
    long seen = System.currentTimeMillis();
    StringBuilder samples = null;
    for (ChangeEvent<String, String> record : records) {
      String value = record.value();
      if (value != null && value.contains("\"op\":\"r\"")) {
        if (snapshotRows == 0) emit("{\"event\":\"first-snapshot-record\",\"ms\":" + seen + "}");
        if (++snapshotRows == expectedSnapshotRows) {
          emit("{\"event\":\"snapshot-complete\",\"rows\":" + snapshotRows + ",\"ms\":" + seen + "}");
        }
      } else if (value != null) {
        long commitMs = commitTime(value);
        if (samples == null) samples = new StringBuilder("{\"event\":\"changes\",\"samples\":[");
        else samples.append(',');
        samples.append('[').append(commitMs).append(',').append(seen).append(']');
      }
      committer.markProcessed(record);
    }
    if (samples != null) emit(samples.append("]}").toString());
    committer.markBatchFinished();
  }

  /** source.ts_ms of a change event: the commit time of its transaction. */
  private static long commitTime(String value) {
    try {
      return MAPPER.readTree(value).path("source").path("ts_ms").asLong(-1);
    } catch (IOException e) {
      return -1;
    }
  }

  private static synchronized void emit(String line) {
    OUT.println(line);
    OUT.flush();
  }

  private static String quote(String text) {
    try {
      return MAPPER.writeValueAsString(text);
    } catch (IOException e) {
      return "\"?\"";
    }
  }
}
