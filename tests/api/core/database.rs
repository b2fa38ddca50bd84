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

/// A primary key, index or foreign key of a table, as both databases can describe it.
#[derive(QueryableByName, Debug, PartialEq, Eq, PartialOrd, Ord, Clone)]
struct Key {
    #[diesel(sql_type = diesel::sql_types::Text)]
    table_name: String,
    /// `primary`, `unique`, `index` (with ` partial` for a partial index) or `foreign`.
    #[diesel(sql_type = diesel::sql_types::Text)]
    kind: String,
    /// The columns in order (`<expr>` for an expression), or `column -> table.column`.
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    detail: Option<String>,
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
    // An INTEGER PRIMARY KEY is SQLite's 64-bit rowid: PostgreSQL's bigint.
    let mut lite: Vec<Column> = diesel::sql_query(
        "SELECT m.name AS table_name, p.name AS column_name, \
           CASE WHEN p.pk = 1 AND upper(p.type) = 'INTEGER' THEN 'bigint' ELSE p.type END AS data_type, \
           (p.\"notnull\" = 0 AND p.pk = 0) AS nullable \
         FROM sqlite_master m JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '__diesel%' \
         AND m.name NOT LIKE 'fts\\_%' ESCAPE '\\'",
    )
    .load(&mut *conn)
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
    .load(&mut *pconn)
    .expect("pg schema");
    for c in lite.iter_mut().chain(post.iter_mut()) {
        c.data_type = normalize(&c.data_type);
    }
    // SQLite reports a TEXT primary key as nullable-free via pk; PostgreSQL via NOT NULL: both false.
    lite.sort();
    post.sort();
    assert_eq!(lite, post);

    // What enforces the exactly-once promises must match too: primary keys, unique and plain
    // indexes (columns in order, partial or not) and foreign keys. The one intended difference is
    // the lead search index: FTS5 tables on SQLite (left out above), a pg_trgm GIN index on
    // PostgreSQL (left out here).
    let mut lite_keys: Vec<Key> = diesel::sql_query(
        "SELECT m.name AS table_name, 'primary' AS kind, \
           (SELECT group_concat(name, ',') FROM (SELECT name FROM pragma_table_info(m.name) WHERE pk > 0 ORDER BY pk)) AS detail \
         FROM sqlite_master m WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '__diesel%' \
           AND m.name NOT LIKE 'fts\\_%' ESCAPE '\\' \
         UNION ALL \
         SELECT m.name, CASE WHEN il.\"unique\" = 1 THEN 'unique' ELSE 'index' END || CASE WHEN il.partial = 1 THEN ' partial' ELSE '' END, \
           (SELECT group_concat(COALESCE(name, '<expr>'), ',') FROM (SELECT name FROM pragma_index_info(il.name) ORDER BY seqno)) \
         FROM sqlite_master m JOIN pragma_index_list(m.name) il \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '__diesel%' \
           AND m.name NOT LIKE 'fts\\_%' ESCAPE '\\' AND il.origin != 'pk' \
         UNION ALL \
         SELECT m.name, 'foreign', f.\"from\" || ' -> ' || f.\"table\" || '.' || COALESCE(f.\"to\", 'id') \
         FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '__diesel%'",
    )
    .load(&mut *conn)
    .expect("sqlite keys");
    let mut post_keys: Vec<Key> = diesel::sql_query(
        "SELECT t.relname::text AS table_name, \
           (CASE WHEN ix.indisprimary THEN 'primary' WHEN ix.indisunique THEN 'unique' ELSE 'index' END \
            || CASE WHEN ix.indpred IS NOT NULL THEN ' partial' ELSE '' END)::text AS kind, \
           (SELECT string_agg(COALESCE(a.attname::text, '<expr>'), ',' ORDER BY k.ord) \
              FROM unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) \
              LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum)::text AS detail \
         FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_class i ON i.oid = ix.indexrelid \
           JOIN pg_namespace n ON n.oid = t.relnamespace JOIN pg_am am ON am.oid = i.relam \
         WHERE n.nspname = 'public' AND t.relname NOT LIKE '__diesel%' AND am.amname <> 'gin' \
         UNION ALL \
         SELECT kcu.table_name::text, 'foreign', \
           (kcu.column_name || ' -> ' || ccu.table_name || '.' || ccu.column_name)::text \
         FROM information_schema.table_constraints tc \
           JOIN information_schema.key_column_usage kcu \
             ON tc.constraint_name = kcu.constraint_name AND tc.table_schema = kcu.table_schema \
           JOIN information_schema.constraint_column_usage ccu \
             ON ccu.constraint_name = tc.constraint_name AND ccu.table_schema = tc.table_schema \
         WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = 'public'",
    )
    .load(&mut *pconn)
    .expect("pg keys");
    lite_keys.sort();
    post_keys.sort();
    let only_lite: Vec<&Key> = lite_keys.iter().filter(|k| !post_keys.contains(k)).collect();
    let only_pg: Vec<&Key> = post_keys.iter().filter(|k| !lite_keys.contains(k)).collect();
    assert!(
        only_lite.is_empty() && only_pg.is_empty(),
        "keys and indexes differ\nonly on SQLite: {only_lite:#?}\nonly on PostgreSQL: {only_pg:#?}"
    );
    assert!(lite_keys.iter().any(|k| k.kind == "unique"), "the comparison sees unique indexes");
    assert!(lite_keys.iter().any(|k| k.kind == "foreign"), "the comparison sees foreign keys");
    drop(pconn);
    let _ = std::fs::remove_dir_all(dir);
}
