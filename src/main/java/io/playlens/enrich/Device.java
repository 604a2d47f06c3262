package io.playlens.enrich;

import static java.util.Objects.requireNonNull;

/**
 * The viewer's device, in api.video's vocabulary: type one of computer, phone, tablet, tv, console,
 * wearable, unknown; OS and browser names in lower case (windows, mac osx, ios; chrome, safari).
 * Unknown names and versions are null.
 */
public record Device(
    String type, String os, String osVersion, String browser, String browserVersion) {
  public static final Device UNKNOWN = new Device("unknown", null, null, null, null);

  public Device {
    requireNonNull(type, "type is null");
  }
}
