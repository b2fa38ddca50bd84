//! The storage layer's promises: SQLite durability settings and identical schemas on both backends.

use diesel::{QueryableByName, RunQueryDsl};
use kith_db::{Backend, DbConnection};
use kith_tests::{backend, fresh_database, postgres_available};

#[derive(QueryableByName)]
struct Value {
    #[diesel(sql_type = diesel::sql_types::Text)]
    value: String,
}

fn pragma(conn: &mut DbConnection, name: &str) -> String {
    // The table-valued pragma names its column after the pragma, except busy_timeout's `timeout`.
    let column = if name == "busy_timeout" { "timeout" } else { name };
    diesel::sql_query(format!("SELECT CAST({column} AS TEXT) AS value FROM pragma_{name}"))
        .get_result::<Value>(conn)
        .map(|v| v.value)
        .unwrap_or_else(|e| panic!("pragma {name}: {e}"))
}

#[tokio::test]
async fn every_sqlite_connection_is_durable_and_enforces_foreign_keys() {
    if backend() != Backend::Sqlite {
        return; // PostgreSQL has no pragmas; its durability is the server's.
    }
    let (url, _guard) = fresh_database();
    let pool = kith_db::Pool::new(&url, Default::default()).expect("pool");
    pool.migrate().expect("migrate");
    // Several connections: each must have been set up, not just the first.
    let mut held = Vec::new();
    for _ in 0..3 {
        let mut conn = pool.get().expect("conn");
        assert_eq!(pragma(&mut conn, "journal_mode"), "wal");
        assert_eq!(pragma(&mut conn, "synchronous"), "2", "synchronous=FULL");
        assert_eq!(pragma(&mut conn, "foreign_keys"), "1");
        assert_eq!(pragma(&mut conn, "busy_timeout"), "5000");
        held.push(conn);
    }
}

#[derive(QueryableByName, Debug, PartialEq, Eq, PartialOrd, Ord, Clone)]
struct Column {
    #[diesel(sql_type = diesel::sql_types::Text)]
    table_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    column_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    data_type: String,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    nullable: bool,
}

fn normalize(t: &str) -> String {
    match t.to_lowercase().as_str() {
        "text" | "character varying" => "text",
        "timestamp" | "timestamp without time zone" => "timestamp",
        "bigint" => "bigint",
        "integer" | "int" => "integer",
        "boolean" | "bool" => "boolean",
        other => return other.to_owned(),
    }
    .to_owned()
}

#[tokio::test]
async fn both_migration_trees_produce_the_same_schema() {
    if !postgres_available() {
        assert!(std::env::var("REQUIRE_POSTGRES").as_deref() != Ok("1"), "PostgreSQL is required but not reachable");
        eprintln!("!!! SKIPPED both_migration_trees_produce_the_same_schema: no PostgreSQL at TEST_DATABASE_URL");
        return;
    }
    let dir = std::env::temp_dir().join(format!("kith-parity-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).expect("dir");
    let sqlite =
        kith_db::Pool::new(&format!("sqlite://{}", dir.join("p.db").display()), Default::default()).expect("pool");
    sqlite.migrate().expect("migrate sqlite");
    let mut conn = sqlite.get().expect("conn");
    // fts_* are SQLite's search index tables (FTS5); PostgreSQL indexes the same column with pg_trgm instead.
    let mut lite: Vec<Column> = diesel::sql_query(
        "SELECT m.name AS table_name, p.name AS column_name, p.type AS data_type, (p.\"notnull\" = 0 AND p.pk = 0) AS nullable \
         FROM sqlite_master m JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '__diesel%' \
         AND m.name NOT LIKE 'fts\\_%' ESCAPE '\\'",
    )
    .load(&mut conn)
    .expect("sqlite schema");

    let (pg_url, _guard) = {
        let name = format!("kith_parity_{}", uuid::Uuid::now_v7().simple());
        let admin = kith_tests::pg_admin_url();
        let mut a = <diesel::pg::PgConnection as diesel::Connection>::establish(&admin).expect("pg");
        diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut a).expect("create");
        (
            admin.rsplit_once('/').map(|(base, _)| format!("{base}/{name}")).expect("url"),
            kith_tests::DbGuard::Postgres(name),
        )
    };
    let pg = kith_db::Pool::new(&pg_url, Default::default()).expect("pool");
    pg.migrate().expect("migrate postgres");
    let mut pconn = pg.get().expect("conn");
    let mut post: Vec<Column> = diesel::sql_query(
        "SELECT table_name::text AS table_name, column_name::text AS column_name, data_type::text AS data_type, \
         (is_nullable = 'YES') AS nullable FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name NOT LIKE '__diesel%'",
    )
    .load(&mut pconn)
    .expect("pg schema");
    for c in lite.iter_mut().chain(post.iter_mut()) {
        c.data_type = normalize(&c.data_type);
    }
    // SQLite reports a TEXT primary key as nullable-free via pk; PostgreSQL via NOT NULL: both false.
    lite.sort();
    post.sort();
    assert_eq!(lite, post);
    drop(pconn);
    let _ = std::fs::remove_dir_all(dir);
}
