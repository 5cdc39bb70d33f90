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
