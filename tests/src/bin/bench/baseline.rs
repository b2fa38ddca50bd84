//! The raw database baseline: single-row durable inserts, each its own transaction (autocommit), from
//! 16 concurrent connections of Kith's own pool — so SQLite runs with the pool's pragmas (WAL,
//! synchronous=FULL, busy_timeout) and PostgreSQL with the pool's connection settings. What a write
//! through the API costs is then read as a fraction of what the database alone does.

use std::time::{Duration, Instant};

use diesel::RunQueryDsl;
use kith_db::{Backend, DbConnection};

pub struct Baseline {
    pub rows: usize,
    pub clients: usize,
    pub wall: Duration,
}

impl Baseline {
    pub fn per_second(&self) -> f64 {
        self.rows as f64 / self.wall.as_secs_f64()
    }
}

pub fn run(rows: usize, clients: usize) -> Result<Baseline, String> {
    // A database of its own, made like the server's (same template on PostgreSQL, a fresh file on SQLite).
    let (url, _guard) = kith_tests::fresh_database();
    let pool = kith_db::Pool::new(&url, kith_db::PoolOptions { max_size: clients as u32, ..Default::default() })?;
    let backend = kith_tests::backend();
    {
        let mut c = pool.get().map_err(|e| e.to_string())?;
        diesel::sql_query(
            "CREATE TABLE bench_baseline (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, payload TEXT NOT NULL)",
        )
        .execute(&mut *c)
        .map_err(|e| e.to_string())?;
    }
    let insert = match backend {
        Backend::Sqlite => "INSERT INTO bench_baseline (id, org_id, payload) VALUES (?, ?, ?)",
        Backend::Postgres => "INSERT INTO bench_baseline (id, org_id, payload) VALUES ($1, $2, $3)",
    };
    let payload = "x".repeat(300);
    let started = Instant::now();
    let result: Result<(), String> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..clients)
            .map(|w| {
                let (pool, payload) = (&pool, &payload);
                s.spawn(move || -> Result<(), String> {
                    let mut c = pool.get().map_err(|e| e.to_string())?;
                    let conn: &mut DbConnection = &mut c;
                    for i in (w..rows).step_by(clients) {
                        diesel::sql_query(insert)
                            .bind::<diesel::sql_types::Text, _>(uuid::Uuid::now_v7().to_string())
                            .bind::<diesel::sql_types::Text, _>("org")
                            .bind::<diesel::sql_types::Text, _>(format!("{i} {payload}"))
                            .execute(conn)
                            .map_err(|e| e.to_string())?;
                    }
                    Ok(())
                })
            })
            .collect();
        workers.into_iter().try_for_each(|w| w.join().map_err(|_| "baseline thread panicked".to_owned())?)
    });
    result?;
    let wall = started.elapsed();
    let mut c = pool.get().map_err(|e| e.to_string())?;
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let count = diesel::sql_query("SELECT count(*) AS n FROM bench_baseline")
        .get_result::<Count>(&mut *c)
        .map_err(|e| e.to_string())?
        .n;
    if count != rows as i64 {
        return Err(format!("the baseline table holds {count} rows, {rows} were inserted"));
    }
    Ok(Baseline { rows, clients, wall })
}
