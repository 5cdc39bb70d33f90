//! Crafted files through the real upload: each is refused with a clear sentence, and the
//! server goes on serving. Before, a sheet with cells at A1 and XFD1048576 made calamine
//! allocate the whole sheet and abort the process, and a workbook with no sheets panicked.

use crate::common::journey::QA;
use crate::common::xlsx::{row, workbook, workbook_xml};
use crate::common::*;
use axum::http::StatusCode;

async fn rejected(app: &TestApp, token: &str, list: &str, file: (&str, &[u8])) -> String {
    let reply = app
        .upload(
            "upload_annex_a",
            &[("list", list)],
            file,
            Some(token),
            false,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}: {}", file.0, reply.body);
    let id = reply.json().as_i64().unwrap().to_string();
    let view = app
        .call("import_detail", &[("import_id", &id)], Some(token))
        .await;
    assert_eq!(view.status, StatusCode::OK, "{}", view.body);
    let view = view.json();
    assert_eq!(view["listing"]["status"], "rejected", "{}", file.0);
    view["problems"][0]["message"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn hostile_files_are_refused_with_a_reason_and_the_server_keeps_serving() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    let far_corner = workbook_xml(
        &[(
            "List 7",
            "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>Child Unique ID</t></is></c></row>\
             <row r=\"1048576\"><c r=\"XFD1048576\"><v>1</v></c></row>"
                .to_string(),
        )],
        &[],
    );
    let wide = workbook_xml(
        &[(
            "List 7",
            "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>x</t></is></c><c r=\"ZZ1\"><v>1</v></c></row>"
                .to_string(),
        )],
        &[],
    );
    let long_cell = workbook(&[("List 7", vec![row(&[&"x".repeat(20_000)])])]);
    let no_sheets = workbook_xml(&[], &[]);
    // 201 MB of zeros: a few hundred kilobytes zipped.
    let zeros = vec![0u8; 201 * 1024 * 1024];
    let bomb = workbook_xml(
        &[("List 7", String::new())],
        &[("xl/media/padding.bin", zeros.as_slice())],
    );
    drop(zeros);
    let many_columns = ",".repeat(1_000_000);
    let cases: Vec<(&str, &str, Vec<u8>, &str)> = vec![
        (
            "far-corner.xlsx",
            "all",
            far_corner,
            "beyond row 200000 or column GR",
        ),
        ("wide.xlsx", "all", wide, "beyond row 200000 or column GR"),
        (
            "long-cell.xlsx",
            "all",
            long_cell,
            "more than 10000 characters",
        ),
        (
            "no-sheets.xlsx",
            "all",
            no_sheets,
            "The workbook has no sheets",
        ),
        ("bomb.xlsx", "all", bomb, "larger than 200 MB once opened"),
        (
            "broken.xlsx",
            "all",
            b"PK\x03\x04not really a zip".to_vec(),
            "not a readable Excel workbook",
        ),
        (
            "nul.csv",
            "7",
            b"Child Unique ID,Team\n\0,x\n".to_vec(),
            "not an Excel workbook",
        ),
        (
            "wide.csv",
            "7",
            many_columns.into_bytes(),
            "more than 200 columns",
        ),
    ];
    for (name, list, bytes, message) in cases {
        assert!(
            bytes.len() <= 10 * 1024 * 1024,
            "{name} fits the upload limit"
        );
        let first = rejected(&app, &qa, list, (name, &bytes)).await;
        assert!(first.contains(message), "{name}: {first}");
        // Still serving.
        assert_eq!(
            app.page("/healthz", None).await.status,
            StatusCode::OK,
            "{name}"
        );
    }
    // A staff file with no sheets is refused the same way.
    let admin = app.sign_in("admin@anytown.example").await;
    let reply = app
        .upload(
            "upload_staff",
            &[],
            ("staff.xlsx", &workbook_xml(&[], &[])),
            Some(&admin),
            false,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let (status, payload): (String, String) = app::on_pool!(app.store, |pool| sqlx::query_as(
        "SELECT status, payload FROM staff_imports WHERE id = $1"
    )
    .bind(reply.json().as_i64().unwrap())
    .fetch_one(pool)
    .await)
    .unwrap();
    assert_eq!(status, "rejected");
    assert!(payload.contains("The workbook has no sheets"), "{payload}");
}
