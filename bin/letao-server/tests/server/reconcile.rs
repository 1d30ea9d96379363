//! `letao-server reconcile`: its exit codes and what it prints.

use crate::process::server;
use letao_db::Backend;
use letao_db::testing::TestDatabase;

/// A one-payment `ALL` bill in WeChat's format, for `order` of 1 fen.
fn bill_for(order: &str, transaction: &str) -> String {
    bill_with_fee(order, transaction, "0.01", "0.00")
}

/// A one-payment `ALL` bill for `order` of `yuan`, whose fee is written
/// `fee` (in the row and in the summary).
fn bill_with_fee(order: &str, transaction: &str, yuan: &str, fee: &str) -> String {
    let mut out = wechat_pay::BillType::All.columns().join(",");
    out.push_str("\r\n");
    let fields = [
        "2026-01-01 12:00:00",
        "wx0000000000000000",
        "1900000000",
        "0",
        "",
        transaction,
        order,
        "oPayer",
        "NATIVE",
        "SUCCESS",
        "CMC",
        "CNY",
        yuan,
        "0.00",
        "0",
        "0",
        "0.00",
        "0.00",
        "",
        "",
        "乐淘-鞋",
        "",
        fee,
        "0.60%",
        yuan,
        "0.00",
        "",
    ];
    let line: Vec<String> = fields.iter().map(|f| format!("`{f}")).collect();
    out.push_str(&line.join(","));
    out.push_str("\r\n");
    out.push_str(&wechat_pay::bill::SUMMARY_COLUMNS.join(","));
    out.push_str(&format!(
        "\r\n`1,`{yuan},`0.00,`0.00,`{fee},`{yuan},`0.00\r\n"
    ));
    out
}

#[test]
fn reconcile_exits_0_when_all_matched_3_with_differences_and_1_on_bad_input() {
    let database = TestDatabase::create(Backend::Sqlite);
    assert!(
        server(database.url(), &["migrate"])
            .output()
            .expect("migrate")
            .status
            .success()
    );
    database.execute_sql(
        "INSERT INTO payorder (appid, mch_id, nonce_str, body, out_trade_no, total_fee, spbill_create_ip, \
         trade_type, trade_state, total_fen, created_at, updated_at) VALUES ('wx0000000000000000', \
         '1900000000', 'n', 'b', 'LT-CLI-1', '1', '127.0.0.1', 'NATIVE', 'NOTPAY', 1, \
         '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
    );
    let dir = std::env::temp_dir().join(format!("letao-bill-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let run = |bill: &str, date: &str| {
        let path = dir.join(format!("{date}-{}.csv", bill.len()));
        std::fs::write(&path, bill).expect("write the bill");
        server(
            database.url(),
            &[
                "reconcile",
                "--date",
                date,
                "--bill-file",
                path.to_str().unwrap(),
            ],
        )
        .output()
        .expect("reconcile")
    };
    // The lost payment is recorded: every row matched.
    let good = run(
        &bill_for("LT-CLI-1", "4200000000000000000000000001"),
        "2026-01-01",
    );
    let stdout = String::from_utf8_lossy(&good.stdout);
    assert_eq!(
        good.status.code(),
        Some(0),
        "{stdout} {}",
        String::from_utf8_lossy(&good.stderr)
    );
    assert!(
        stdout.contains("1 matched (1 recovered), 0 differences"),
        "{stdout}"
    );
    assert_eq!(
        database.scalar_i64("SELECT COUNT(*) FROM payorder WHERE out_trade_no = 'LT-CLI-1' AND trade_state = 'SUCCESS'"),
        1
    );
    // A payment for an order the shop does not know: a difference.
    let unknown = run(
        &bill_for("LT-NOBODY", "4200000000000000000000000002"),
        "2026-01-01",
    );
    assert_eq!(
        unknown.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&unknown.stdout)
    );
    assert!(String::from_utf8_lossy(&unknown.stdout).contains("unknown_order"));
    // A truncated file, or a day not over: an error, nothing recorded.
    let bill = bill_for("LT-CLI-1", "4200000000000000000000000001");
    let cut = &bill[..bill.find("总交易单数").unwrap()];
    assert_eq!(run(cut, "2026-01-01").status.code(), Some(1));
    let future = run(&bill, "2999-01-01");
    assert_eq!(future.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&future.stderr).contains("2999-01-01"));
    assert_eq!(
        database.scalar_i64("SELECT COUNT(*) FROM reconciliation"),
        1
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn reconcile_reads_a_bill_whose_fee_has_five_decimals() {
    let database = TestDatabase::create(Backend::Sqlite);
    assert!(
        server(database.url(), &["migrate"])
            .output()
            .expect("migrate")
            .status
            .success()
    );
    database.execute_sql(
        "INSERT INTO payorder (appid, mch_id, nonce_str, body, out_trade_no, total_fee, spbill_create_ip, \
         trade_type, trade_state, total_fen, created_at, updated_at) VALUES ('wx0000000000000000', \
         '1900000000', 'n', 'b', 'LT-CLI-FEE', '1000', '127.0.0.1', 'NATIVE', 'NOTPAY', 1000, \
         '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
    );
    // WeChat writes fees with five decimals: 0.6% of 10.00 is `0.06000`.
    let bill = bill_with_fee(
        "LT-CLI-FEE",
        "4200000000000000000000000003",
        "10.00",
        "0.06000",
    );
    let path = std::env::temp_dir().join(format!("letao-bill-fee-{}.csv", std::process::id()));
    std::fs::write(&path, &bill).expect("write the bill");
    let out = server(
        database.url(),
        &[
            "reconcile",
            "--date",
            "2026-01-01",
            "--bill-file",
            path.to_str().unwrap(),
        ],
    )
    .output()
    .expect("reconcile");
    let _ = std::fs::remove_file(&path);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("1 matched (1 recovered), 0 differences"),
        "{stdout}"
    );
    assert_eq!(
        database.scalar_i64(
            "SELECT COUNT(*) FROM payorder WHERE out_trade_no = 'LT-CLI-FEE' AND trade_state = 'SUCCESS'"
        ),
        1
    );
}
