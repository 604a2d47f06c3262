package io.playlens.web;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;

/**
 * {@code GET /js/playlens.js}: the minified tracker the build put in the jar, with an ETag and a
 * cache lifetime, open to every origin (so pages may embed it with a Subresource Integrity hash and
 * {@code crossorigin="anonymous"}). {@code GET /js/playlens.js.sri} answers that hash.
 */
public final class TrackerScript {
  static final String RESOURCE = "web/js/playlens.js";

  private final byte[] script;
  private final String etag;
  private final String integrity;

  public TrackerScript() {
    try (InputStream in = TrackerScript.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            RESOURCE + " is missing from the classpath: build with ./mvnw package");
      }
      script = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    etag = "\"" + HexFormat.of().formatHex(digest("SHA-256"), 0, 16) + "\"";
    integrity = "sha384-" + Base64.getEncoder().encodeToString(digest("SHA-384"));
  }

  private byte[] digest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm).digest(script);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " is missing from this JVM", e);
    }
  }

  /** {@code sha384-...}, for {@code <script integrity="...">}. */
  public String integrity() {
    return integrity;
  }

  public void serve(Context ctx) {
    ctx.header("Access-Control-Allow-Origin", "*");
    ctx.header("Cache-Control", "public, max-age=3600");
    ctx.header("ETag", etag);
    ctx.header("X-Content-Type-Options", "nosniff");
    if (etag.equals(ctx.header("If-None-Match"))) {
      ctx.status(304);
      return;
    }
    ctx.contentType("text/javascript; charset=utf-8").result(script);
  }

  public void serveIntegrity(Context ctx) {
    ctx.header("Access-Control-Allow-Origin", "*");
    ctx.header("Cache-Control", "public, max-age=3600");
    ctx.contentType("text/plain; charset=utf-8")
        .result((integrity + "\n").getBytes(StandardCharsets.UTF_8));
  }
}
