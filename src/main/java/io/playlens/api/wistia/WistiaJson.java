package io.playlens.api.wistia;

import com.fasterxml.jackson.core.JsonGenerator;
import io.playlens.query.Views;
import java.io.IOException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Views written with the field names of Wistia's events API. */
final class WistiaJson {
  static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  private WistiaJson() {}

  /**
   * One view: {@code received_at} (when the session began), {@code event_key} (the session), {@code
   * visitor_key} (the viewer), place, organisation, email, {@code percent_viewed} (0–1), the media
   * and the page it was embedded in, and {@code user_agent_details}.
   */
  static void view(JsonGenerator json, Views.View view, String mediaName) throws IOException {
    json.writeStartObject();
    json.writeStringField("received_at", TIME.format(view.firstAt()));
    json.writeStringField("event_key", view.sessionId());
    json.writeStringField("visitor_key", view.viewerId());
    json.writeStringField("ip", view.ip());
    json.writeStringField("org", view.organisation());
    json.writeStringField("country", view.country());
    json.writeStringField("region", view.region());
    json.writeStringField("city", view.city());
    number(json, "lat", view.latitude());
    number(json, "lon", view.longitude());
    json.writeStringField("email", view.email());
    number(json, "percent_viewed", view.percentViewed());
    json.writeStringField("media_id", view.mediaId());
    json.writeStringField("media_name", mediaName != null ? mediaName : view.mediaTitle());
    json.writeStringField("embed_url", view.pageUrl());
    json.writeBooleanField("played", view.played());
    json.writeObjectFieldStart("user_agent_details");
    json.writeStringField("browser", view.browser());
    json.writeStringField("browser_version", view.browserVersion());
    json.writeStringField("platform", view.os());
    json.writeStringField("platform_version", view.osVersion());
    json.writeBooleanField("mobile", mobile(view.deviceType()));
    json.writeStringField("device_type", view.deviceType());
    json.writeEndObject();
    json.writeEndObject();
  }

  static boolean mobile(String deviceType) {
    return "phone".equals(deviceType) || "tablet".equals(deviceType);
  }

  private static void number(JsonGenerator json, String name, Double value) throws IOException {
    if (value == null) {
      json.writeNullField(name);
    } else {
      json.writeNumberField(name, value);
    }
  }
}
