package io.playlens.server;

import io.javalin.http.Context;
import io.playlens.enrich.GeoData;

/** {@code /about}: version, the data sources in use, and the credit their licences ask for. */
final class AboutPage {
  private final GeoData geo;

  AboutPage(GeoData geo) {
    this.geo = geo;
  }

  void render(Context ctx) {
    String version = AboutPage.class.getPackage().getImplementationVersion();
    StringBuilder html = new StringBuilder();
    html.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<title>About Playlens</title></head><body>")
        .append("<h1>Playlens</h1><p>Self-hosted video analytics")
        .append(version == null ? "" : ", version " + version)
        .append(".</p><p><a href=\"/app\">Open the dashboard</a> · <a href=\"/openapi.json\">")
        .append("API description</a></p><h2>Geo data</h2>");
    if (geo.sources().isEmpty()) {
      html.append("<p>No geo data installed: run <code>playlens geo install</code>.</p>");
    } else {
      html.append("<p>In use: ").append(String.join(", ", geo.sources())).append(".</p>");
    }
    html.append(
        "<p><a href=\"https://db-ip.com\">IP Geolocation by DB-IP</a>, licensed under "
            + "<a href=\"https://creativecommons.org/licenses/by/4.0/\">CC BY 4.0</a>; "
            + "organisation names from the ip-location-db ASN data (DB-IP, RouteViews, NRO).</p>"
            + "<h2>Dashboard libraries</h2><p>Charts by <a href=\"https://github.com/leeoniya/uPlot\">"
            + "uPlot</a> and the world map by <a href=\"https://github.com/themustafaomar/jsvectormap\">"
            + "jsVectorMap</a>, both under the MIT licence (texts served under"
            + " <code>/app/assets/vendor/</code>).</p>");
    html.append("</body></html>");
    ctx.html(html.toString());
  }
}
