//! The two databases' schemas stay one schema: the same tables with the same columns, and
//! the same indexes' names, whichever migrations created them. Checked on the PostgreSQL
//! pass (`TEST_POSTGRES_URL`, set by `scripts/test`); without a PostgreSQL server to compare
//! with, the SQLite schema is still read and checked to be there.

use crate::common::*;
use app::store::{Db, Store};
use std::collections::BTreeSet;

async fn columns(store: &Store) -> BTreeSet<String> {
    match store.db() {
        Db::Sqlite(pool) => {
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%'",
            )
            .fetch_all(pool)
            .await
            .unwrap();
            let mut all = BTreeSet::new();
            for table in tables {
                let names: Vec<String> =
                    sqlx::query_scalar(&format!("SELECT name FROM pragma_table_info('{table}')"))
                        .fetch_all(pool)
                        .await
                        .unwrap();
                all.extend(names.into_iter().map(|c| format!("{table}.{c}")));
            }
            all
        }
        Db::Postgres(pool) => sqlx::query_scalar(
            "SELECT table_name || '.' || column_name FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx%'",
        )
        .fetch_all(pool)
        .await
        .unwrap()
        .into_iter()
        .collect(),
    }
}

async fn indexes(store: &Store) -> BTreeSet<String> {
    match store.db() {
        Db::Sqlite(pool) => sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'",
        )
        .fetch_all(pool)
        .await
        .unwrap()
        .into_iter()
        .collect(),
        // Named indexes only: the keys' own (`*_pkey`, `*_key`) are SQLite's unnamed ones.
        Db::Postgres(pool) => sqlx::query_scalar(
            "SELECT indexname::text FROM pg_indexes WHERE schemaname = 'public' \
             AND indexname NOT LIKE '%_pkey' AND indexname NOT LIKE '%_key' \
             AND tablename NOT LIKE '_sqlx%'",
        )
        .fetch_all(pool)
        .await
        .unwrap()
        .into_iter()
        .collect(),
    }
}

#[tokio::test]
async fn sqlite_and_postgresql_have_the_same_tables_columns_and_indexes() {
    let dir = std::env::temp_dir().join(format!("practice-audit-schema-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let sqlite = Store::connect(&format!("sqlite://{}", dir.join("schema.db").display()))
        .await
        .unwrap();
    let sqlite_columns = columns(&sqlite).await;
    assert!(sqlite_columns.contains("audits.overall_grade"));
    assert!(
        sqlite_columns.len() > 300,
        "{} columns",
        sqlite_columns.len()
    );
    if std::env::var("TEST_POSTGRES_URL").map_or(true, |url| url.is_empty()) {
        let _ = std::fs::remove_dir_all(&dir);
        return;
    }
    let postgres = Store::connect(&new_database(&dir).await).await.unwrap();
    let postgres_columns = columns(&postgres).await;
    assert_eq!(
        sqlite_columns
            .difference(&postgres_columns)
            .collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "columns only SQLite has"
    );
    assert_eq!(
        postgres_columns
            .difference(&sqlite_columns)
            .collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "columns only PostgreSQL has"
    );
    let (sqlite_indexes, postgres_indexes) = (indexes(&sqlite).await, indexes(&postgres).await);
    assert_eq!(sqlite_indexes, postgres_indexes);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A SQLite database made before cases could wait for a lead practitioner keeps every
/// case and every row pointing at it when migration 17 rebuilds `cases` and `imports`.
#[tokio::test]
async fn a_sqlite_database_from_before_lead_practitioners_upgrades_with_its_rows() {
    use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
    use std::str::FromStr;
    const REBUILD: i64 = 20261206000017;
    let dir = std::env::temp_dir().join(format!("practice-audit-upgrade-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("old.db").display());
    let options = SqliteConnectOptions::from_str(&url)
        .unwrap()
        .create_if_missing(true)
        .foreign_keys(true);
    let pool = SqlitePoolOptions::new()
        .connect_with(options)
        .await
        .unwrap();
    let mut before = sqlx::migrate::Migrator::new(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations/sqlite"),
    )
    .await
    .unwrap();
    before.migrations = before
        .migrations
        .iter()
        .filter(|m| m.version < REBUILD)
        .cloned()
        .collect::<Vec<_>>()
        .into();
    before.run(&pool).await.unwrap();
    for sql in [
        "INSERT INTO teams (id, name, created_at) VALUES (1, 'Early Help North', '2026-11-30T09:00:00Z')",
        "INSERT INTO people (id, display_name, email, password_hash, team_id, created_at) \
         VALUES (1, 'Kim Worker', 'kim@c.example', 'x', 1, '2026-11-30T09:00:00Z')",
        "INSERT INTO cases (id, child_unique_id, subject, team_id, key_worker_id, created_at, updated_at) \
         VALUES (7, 'FAM0007', 'family', 1, 1, '2026-11-30T09:00:00Z', '2026-11-30T09:00:00Z')",
        "INSERT INTO case_lists (case_id, annex_list) VALUES (7, 2)",
        "INSERT INTO imports (id, kind, file_name, status, payload, uploaded_by, uploaded_at) \
         VALUES (3, 'annex_a', 'a.xlsx', 'applied', '{}', 1, '2026-11-30T09:00:00Z')",
        "INSERT INTO case_history (case_id, import_id, change, new_value, at) \
         VALUES (7, 3, 'created', '1', '2026-11-30T09:00:00Z')",
    ] {
        sqlx::query(sql).execute(&pool).await.unwrap();
    }
    pool.close().await;

    let store = Store::connect(&url)
        .await
        .expect("the old database upgrades");
    let Db::Sqlite(pool) = store.db() else {
        unreachable!()
    };
    let case: (String, Option<i64>, Option<i64>) =
        sqlx::query_as("SELECT child_unique_id, team_id, key_worker_id FROM cases WHERE id = 7")
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!(case, ("FAM0007".into(), Some(1), Some(1)));
    let joined: (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM case_lists WHERE case_id = 7), \
         (SELECT COUNT(*) FROM case_history h JOIN imports i ON i.id = h.import_id WHERE h.case_id = 7)",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(joined, (1, 1));
    // What the rebuild allows, and what the keys still refuse.
    sqlx::query(
        "INSERT INTO cases (child_unique_id, subject, created_at, updated_at) \
         VALUES ('FAM0008', 'family', '2026-12-06T09:00:00Z', '2026-12-06T09:00:00Z')",
    )
    .execute(pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO imports (kind, file_name, status, payload, uploaded_by, uploaded_at) \
         VALUES ('directory_leads', 'l.csv', 'applied', '[]', 1, '2026-12-06T09:00:00Z')",
    )
    .execute(pool)
    .await
    .unwrap();
    assert!(
        sqlx::query("INSERT INTO case_lists (case_id, annex_list) VALUES (999, 2)")
            .execute(pool)
            .await
            .is_err(),
        "foreign keys are on again after migrating"
    );
    store.close().await;
    std::fs::remove_dir_all(&dir).unwrap();
}
