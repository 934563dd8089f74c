//! The `posdesk` binary as an operator and a merchant at a terminal use it.

use std::io::Write;
use std::process::{Command, Stdio};

fn posdesk(db: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_posdesk"));
    cmd.env("DATABASE_URL", format!("sqlite://{}", db.display()))
        .env_remove("POSDESK_DEFAULT_LOCALE")
        .env("RUST_LOG", "warn");
    cmd
}

fn run(cmd: &mut Command, input: &str) -> String {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn posdesk");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "posdesk failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn ask_json_answers_with_the_intent_id() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        posdesk(&dir.path().join("x.db")).args(["ask", "--json", "押金能退吗"]),
        "",
    );
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["intent"], "deposit");
    assert!(v["score"].as_f64().unwrap() > 0.5);
    let out = run(
        posdesk(&dir.path().join("x.db")).args(["ask", "--json", "今天天气怎么样"]),
        "",
    );
    assert!(out.contains("\"intent\":\"none\""), "{out}");
    let out = run(
        posdesk(&dir.path().join("x.db")).args([
            "ask",
            "--lang",
            "en",
            "Will I get my deposit back?",
        ]),
        "",
    );
    assert!(
        out.starts_with("intent: deposit") && out.contains("deposit"),
        "{out}"
    );
}

#[test]
fn piped_chat_queues_an_unbind_case_that_cases_list_shows() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("posdesk.db");
    let script = [
        "/start",
        "1", // topic: unbind
        "1", // brand: Lakala
        "2", // apply for me
        "LKL8C2104567",
        "2", // serial; not activated
        "1", // skip the merchant number
        "张记便利店",
        "张伟",
        "13812345678",
        "1",                 // reason: not used for a long time
        "/album front back", // both sides of the ID card
        "1",                 // skip the business licence
        "1",                 // submit
    ]
    .join("\n");
    let out = run(posdesk(&db).arg("chat"), &script);
    assert!(out.contains("已提交"), "{out}");
    let listed = run(posdesk(&db).args(["cases", "list"]), "");
    assert!(
        listed.contains("unbind") && listed.contains("queued") && listed.contains("1 case(s)"),
        "{listed}"
    );
    let case_ref = listed
        .lines()
        .nth(1)
        .and_then(|l| l.split_whitespace().next())
        .unwrap()
        .to_string();
    assert!(out.contains(&case_ref));

    let shown = run(
        posdesk(&db).args(["cases", "show", &case_ref.to_lowercase()]),
        "",
    );
    assert!(
        shown.contains("LKL8C2104567") && shown.contains("created"),
        "{shown}"
    );
    assert!(
        shown.contains("138****5678") && !shown.contains("13812345678"),
        "phone masked: {shown}"
    );

    let csv = run(
        posdesk(&db).args(["cases", "export", "--format", "csv"]),
        "",
    );
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    let records: Vec<_> = rows.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 1);
    assert_eq!(&records[0][0], case_ref);
    assert_eq!(&records[0][3], "queued");
    assert!(!csv.contains("13812345678"));

    let overdue = run(posdesk(&db).args(["cases", "list", "--overdue"]), "");
    assert!(overdue.contains("no cases"), "{overdue}");
}

#[test]
fn piped_chat_plays_the_review_team_too() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("posdesk.db");
    let script = [
        "/start card_lakala",
        "2", // apply for me
        "822100012345678",
        "陈氏理发",
        "13612345678",
        "招行",
        "4321",
        "是",
        "/photo front",
        "好的", // submits at the summary
        "/staff ask 身份证照片看不清，请重拍",
        "营业执照我明天拍给你",
        "/photo id-again",
        "1", // done: send to the reviewer
        "/staff reject missing-materials",
        "/status",
        "1", // apply again, pre-filled
        "/staff",
        "/quit",
    ]
    .join("\n");
    let out = run(posdesk(&db).arg("chat"), &script);
    assert!(out.contains("已提交"), "{out}");
    assert!(
        out.contains("身份证照片看不清，请重拍"),
        "the question: {out}"
    );
    assert!(out.contains("已记下 2 条"), "{out}");
    assert!(out.contains("2 条补充交给审核人员"), "{out}");
    assert!(out.contains("[staff]"), "the staff group's side: {out}");
    assert!(out.contains("未通过的原因：材料不全"), "{out}");
    assert!(
        out.contains("预先填好") && out.contains("陈氏理发"),
        "{out}"
    );
    assert!(out.contains("/staff claim"), "the usage: {out}");
    let listed = run(posdesk(&db).args(["cases", "list"]), "");
    assert!(listed.contains("rejected"), "{listed}");
}

#[test]
fn migrate_creates_the_database_and_bad_settings_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("new").join("posdesk.db");
    run(posdesk(&db).arg("migrate"), "");
    assert!(db.exists());
    let out = posdesk(&db)
        .args(["cases", "list", "--status", "bogus"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown status"));
    let out = posdesk(&db)
        .env("POSDESK_DEFAULT_LOCALE", "fr")
        .arg("migrate")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("POSDESK_DEFAULT_LOCALE"));
}
