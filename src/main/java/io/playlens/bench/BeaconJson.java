package io.playlens.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.playlens.collect.Beacon;
import io.playlens.collect.BeaconEvent;
import java.util.List;

/** A beacon in the wire form the tracker sends to {@code POST /v1/collect}. */
public final class BeaconJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private BeaconJson() {}

  /** The beacon with only the given events (a part of a session, as the tracker sends it). */
  public static String write(Beacon beacon, List<BeaconEvent> events) {
    ObjectNode root = JSON.createObjectNode();
    root.put("key", beacon.key());
    root.put("session", beacon.session());
    if (beacon.viewer() != null) {
      root.put("viewer", beacon.viewer());
    }
    if (beacon.sentAt() != null) {
      root.put("sentAt", beacon.sentAt().toString());
    }
    ObjectNode media = root.putObject("media");
    media.put("id", beacon.media().id());
    if (beacon.media().duration() != null) {
      media.put("duration", beacon.media().duration());
    }
    if (beacon.media().type() != null) {
      media.put("type", beacon.media().type());
    }
    if (beacon.media().title() != null) {
      media.put("title", beacon.media().title());
    }
    ArrayNode tags = media.putArray("tags");
    beacon.media().tags().forEach(tags::add);
    if (beacon.pageUrl() != null || beacon.referrer() != null) {
      ObjectNode page = root.putObject("page");
      if (beacon.pageUrl() != null) {
        page.put("url", beacon.pageUrl());
      }
      if (beacon.referrer() != null) {
        page.put("referrer", beacon.referrer());
      }
    }
    if (beacon.email() != null) {
      root.put("email", beacon.email());
    }
    ArrayNode list = root.putArray("events");
    for (BeaconEvent event : events) {
      ObjectNode node = list.addObject();
      node.put("type", event.type().wireName());
      if (event.at() != null) {
        node.put("at", event.at().toString());
      }
      putIfPresent(node, "position", event.position());
      putIfPresent(node, "from", event.from());
      putIfPresent(node, "to", event.to());
      if (event.startupMs() != null) {
        node.put("startupMs", event.startupMs());
      }
      if (event.durationMs() != null) {
        node.put("durationMs", event.durationMs());
      }
      if (event.code() != null) {
        node.put("code", event.code());
      }
      if (event.message() != null) {
        node.put("message", event.message());
      }
    }
    return root.toString();
  }

  private static void putIfPresent(ObjectNode node, String name, Double value) {
    if (value != null) {
      node.put(name, value);
    }
  }
}
