package io.playlens.query;

import static java.util.Objects.requireNonNull;

import io.playlens.store.StoreException;
import io.playlens.store.sql.SqlMetadataStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Answers typed questions from the embedded store with SQL built from the typed values and bind
 * parameters only. Today it reads the raw events; rollups maintained at commit will take over the
 * common questions (see the README's API section).
 */
public final class Queries {
  private final SqlMetadataStore.Connections connections;

  public Queries(SqlMetadataStore.Connections connections) {
    this.connections = requireNonNull(connections, "connections is null");
  }

  public long count(SessionCount question) throws StoreException {
    StringBuilder sql =
        new StringBuilder(
            "SELECT count(DISTINCT c.session_id) FROM events e"
                + " JOIN contexts c ON c.context_id = e.context_id"
                + " WHERE c.account = ? AND c.environment = ?"
                + " AND e.event_type = CAST(? AS event_type)"
                + " AND e.event_time >= ? AND e.event_time < ?");
    List<Object> parameters = new ArrayList<>();
    parameters.add(question.account());
    parameters.add(question.environment());
    parameters.add(question.eventType());
    parameters.add(LocalDateTime.ofInstant(question.from(), ZoneOffset.UTC));
    parameters.add(LocalDateTime.ofInstant(question.to(), ZoneOffset.UTC));
    where(question.filters(), sql, parameters);
    try (Connection connection = connections.open();
        PreparedStatement statement = connection.prepareStatement(sql.toString())) {
      for (int i = 0; i < parameters.size(); i++) {
        statement.setObject(i + 1, parameters.get(i));
      }
      try (ResultSet rows = statement.executeQuery()) {
        rows.next();
        return rows.getLong(1);
      }
    } catch (SQLException e) {
      throw new StoreException(
          "counting " + question.eventType() + " failed: " + e.getMessage(), e);
    }
  }

  /** The filters as SQL over the context row {@code c}. */
  static void where(Filters filters, StringBuilder sql, List<Object> parameters) {
    in("c.media_id", filters.mediaIds(), sql, parameters);
    if (filters.mediaType() != null) {
      sql.append(" AND coalesce(c.media_type, 'video') = ?");
      parameters.add(filters.mediaType());
    }
    in("c.continent", filters.continents(), sql, parameters);
    in("c.country", filters.countries(), sql, parameters);
    in("c.device_type", filters.deviceTypes(), sql, parameters);
    in("c.os", filters.operatingSystems(), sql, parameters);
    in("c.browser", filters.browsers(), sql, parameters);
    if (filters.tag() != null) {
      sql.append(" AND list_contains(c.media_tags, ?)");
      parameters.add(filters.tag());
    }
    in("coalesce(c.referrer, '')", filters.referrers(), sql, parameters);
  }

  private static void in(
      String column, List<String> values, StringBuilder sql, List<Object> parameters) {
    if (values.isEmpty()) {
      return;
    }
    sql.append(" AND ").append(column).append(" IN (");
    for (int i = 0; i < values.size(); i++) {
      sql.append(i == 0 ? "?" : ", ?");
      parameters.add(values.get(i));
    }
    sql.append(')');
  }
}
