package io.denormq.tx;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;
import javax.sql.XADataSource;

import org.h2.jdbcx.JdbcConnectionPool;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Assumptions;
import org.postgresql.ds.PGConnectionPoolDataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.postgresql.xa.PGXADataSource;

/**
 * A real database the binding suites run against: embedded H2, or the PostgreSQL server that
 * {@code .ci/postgres} starts. Each {@link #fresh(String)} call gives an empty namespace (a new H2
 * in-memory database, or a re-created PostgreSQL schema) reachable both as a plain and as an XA
 * data source.
 *
 * <p>PostgreSQL is found at {@code jdbc:postgresql://127.0.0.1:55432/denormq} (user and password
 * {@code denormq}) unless {@code DENORMQ_POSTGRES_URL}, {@code DENORMQ_POSTGRES_USER} and
 * {@code DENORMQ_POSTGRES_PASSWORD} say otherwise. When it is not reachable, the PostgreSQL suites
 * fail under {@code CI=true} and are skipped, with the reason, elsewhere.
 */
public abstract class TestDatabase {
    private static final AtomicInteger H2_DATABASES = new AtomicInteger();

    /**
     * One namespace of a test database.
     *
     * @param dataSource   pooled where connections are expensive
     * @param xaDataSource for XA transactions
     * @param url          a JDBC URL that reaches the namespace
     * @param user         its user, null for H2
     * @param password     its password, null for H2
     * @param closer       releases the pool
     */
    public record Namespace(DataSource dataSource, XADataSource xaDataSource, String url, String user, String password,
                            AutoCloseable closer) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            closer.close();
        }
    }

    /**
     * @return whether one XA connection may serve one transaction after another, as a pool would use
     *         it (H2's XA connections fail to find the prepared transaction at commit when reused)
     */
    public boolean reusesXaConnections() {
        return true;
    }

    /** @return a short name for test output */
    public abstract String name();

    /**
     * @param label names the namespace (letters, digits, underscores)
     * @return a new, empty namespace
     */
    public abstract Namespace fresh(String label);

    /** @return embedded, in-memory H2 */
    public static TestDatabase h2() {
        return new TestDatabase() {
            @Override
            public String name() {
                return "H2";
            }

            @Override
            public boolean reusesXaConnections() {
                return false;
            }

            @Override
            public Namespace fresh(String label) {
                JdbcDataSource dataSource = new JdbcDataSource();
                String url = "jdbc:h2:mem:" + label + "-" + H2_DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1";
                dataSource.setURL(url);
                return new Namespace(dataSource, dataSource, url, null, null, () -> { });
            }
        };
    }

    /**
     * @return the PostgreSQL server, after checking that it answers (see the class comment)
     */
    public static TestDatabase postgres() {
        return Postgres.INSTANCE.requireReachable();
    }

    private static final class Postgres extends TestDatabase {
        private static final Postgres INSTANCE = new Postgres();
        private final String url = setting("DENORMQ_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:55432/denormq");
        private final String user = setting("DENORMQ_POSTGRES_USER", "denormq");
        private final String password = setting("DENORMQ_POSTGRES_PASSWORD", "denormq");
        private volatile SQLException unreachable;
        private volatile boolean checked;

        private static String setting(String name, String defaultValue) {
            String value = System.getenv(name);
            return value == null || value.isBlank() ? defaultValue : value;
        }

        synchronized Postgres requireReachable() {
            if (!checked) {
                try (Connection ignored = plain(null).getConnection()) {
                    unreachable = null;
                } catch (SQLException e) {
                    unreachable = e;
                }
                checked = true;
            }
            if (unreachable != null) {
                String reason = "PostgreSQL is not reachable at " + url + " as " + user + " (" + unreachable.getMessage()
                        + "); start it with `bash .ci/postgres`";
                if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                    throw new AssertionError("CI requires PostgreSQL: " + reason, unreachable);
                }
                Assumptions.abort(reason);
            }
            return this;
        }

        @Override
        public String name() {
            return "PostgreSQL";
        }

        @Override
        public Namespace fresh(String label) {
            String schema = label.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
            try (Connection connection = plain(null).getConnection(); Statement statement = connection.createStatement()) {
                statement.execute("drop schema if exists " + schema + " cascade");
                statement.execute("create schema " + schema);
            } catch (SQLException e) {
                throw new IllegalStateException("Cannot create schema " + schema + " on " + url, e);
            }
            PGXADataSource xa = new PGXADataSource();
            xa.setURL(url);
            xa.setUser(user);
            xa.setPassword(password);
            xa.setCurrentSchema(schema);
            PGConnectionPoolDataSource pooled = new PGConnectionPoolDataSource();
            pooled.setURL(url);
            pooled.setUser(user);
            pooled.setPassword(password);
            pooled.setCurrentSchema(schema);
            // H2's small connection pool works on any ConnectionPoolDataSource: no pool library needed
            JdbcConnectionPool pool = JdbcConnectionPool.create(pooled);
            pool.setMaxConnections(32);
            String schemaUrl = url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
            return new Namespace(pool, xa, schemaUrl, user, password, pool::dispose);
        }

        private PGSimpleDataSource plain(String schema) {
            PGSimpleDataSource dataSource = new PGSimpleDataSource();
            dataSource.setURL(url);
            dataSource.setUser(user);
            dataSource.setPassword(password);
            if (schema != null) {
                dataSource.setCurrentSchema(schema);
            }
            return dataSource;
        }
    }
}
