//! SMS codes, rate counters and users.

use crate::support::{at, t0, user};
use chrono::TimeDelta;
use letao_db::each_backend;
use letao_db::testing::Migrated;
use letao_domain::verification::{CodeCheck, CodePolicy, SmsPurpose};
use letao_domain::{AuditAction, Role};
use letao_shop::store::{Actor, NewCode, NewUser, RateRule, Registration};

fn rule(bucket: &str, limit: u32, secs: i64) -> RateRule {
    RateRule {
        bucket: bucket.into(),
        limit,
        window: TimeDelta::seconds(secs),
    }
}

fn code<'a>(mobile: &'a str, hash: &'a str) -> NewCode<'a> {
    NewCode {
        mobile,
        purpose: SmsPurpose::Register,
        code_hash: hash,
        client_ip: "10.0.0.1",
    }
}

each_backend! {
    #[tokio::test]

    async fn rate_rules_take_all_or_nothing_and_reopen_after_the_window(m: Migrated) {
        let rules = [rule("a", 2, 60), rule("b", 1, 600)];
        assert_eq!(m.db.take_rate(&rules, t0()).await.unwrap(), Ok(()));
        let full = m.db.take_rate(&rules, at(1)).await.unwrap().expect_err("b is full");
        assert_eq!(full.seconds(), 599, "the longest wait");
        // Nothing was taken from `a` by the refused attempt.
        assert_eq!(m.db.take_rate(&[rule("a", 2, 60)], at(2)).await.unwrap(), Ok(()));
        assert!(m.db.take_rate(&[rule("a", 2, 60)], at(3)).await.unwrap().is_err());
        assert_eq!(m.db.rate_full(&rules, at(3)).await.unwrap().map(|w| w.seconds()), Some(597));
        assert_eq!(m.db.take_rate(&[rule("a", 2, 60)], at(61)).await.unwrap(), Ok(()));
        m.db.give_back_rate(&["b".to_owned()]).await.unwrap();
        assert_eq!(m.db.rate_full(&[rule("b", 1, 600)], at(62)).await.unwrap(), None);
    }

    async fn a_code_is_issued_under_its_limits_and_withdrawn_with_them(m: Migrated) {
        let limits = [rule("sms:cool:13800000001", 1, 60)];
        m.db.issue_code(code("13800000001", "h1"), &limits, t0()).await.unwrap().unwrap();
        let wait = m.db.issue_code(code("13800000001", "h2"), &limits, at(10)).await.unwrap();
        assert_eq!(wait.map_err(|w| w.seconds()), Err(50));
        assert_eq!(m.database.scalar_i64("SELECT COUNT(*) FROM sms_code"), 1, "nothing stored when refused");
        m.db.withdraw_code(code("13800000001", "h1"), &limits).await.unwrap();
        assert_eq!(m.database.scalar_i64("SELECT COUNT(*) FROM sms_code"), 0);
        m.db.issue_code(code("13800000001", "h3"), &limits, at(11)).await.unwrap().unwrap();
    }

    async fn a_code_counts_wrong_tries_and_is_consumed_once(m: Migrated) {
        let policy = CodePolicy::default();
        m.db.issue_code(code("13800000002", "right"), &[], t0()).await.unwrap().unwrap();
        let check = |hash: &'static str, secs| {
            let db = m.db.clone();
            async move { db.check_code("13800000002", SmsPurpose::Register, hash, &policy, at(secs)).await.unwrap() }
        };
        assert_eq!(check("wrong", 1).await, CodeCheck::Wrong);
        assert_eq!(m.database.scalar_i64("SELECT attempts FROM sms_code"), 1);
        assert_eq!(
            m.db.check_code("13800000002", SmsPurpose::Login, "right", &policy, at(2)).await.unwrap(),
            CodeCheck::Wrong,
            "a register code is no login code"
        );
        assert_eq!(check("right", 3).await, CodeCheck::Accept);
        assert_eq!(check("right", 4).await, CodeCheck::UsedUp);
        m.db.issue_code(code("13800000002", "late"), &[], at(10)).await.unwrap().unwrap();
        assert_eq!(check("late", 10 + 300).await, CodeCheck::Expired);
    }

    async fn registration_consumes_the_code_only_when_the_user_is_created(m: Migrated) {
        let policy = CodePolicy::default();
        let id = user(&m.db, "first", "13800000003").await;
        let found = m.db.user_by_username("first").await.unwrap().expect("user");
        assert_eq!(found.id, id);
        assert_eq!(found.mobile.as_deref(), Some("13800000003"));
        assert_eq!(found.role, None);
        assert_eq!(m.db.user_by_mobile("13800000003").await.unwrap().map(|u| u.id), Some(id));
        assert_eq!(m.db.user_by_id(id).await.unwrap().map(|u| u.id), Some(id));

        // The same username again: refused, and the second code stays good.
        m.db.issue_code(code("13800000004", "c2"), &[], at(1)).await.unwrap().unwrap();
        let again = NewUser { username: "first", mobile: "13800000004", password_hash: "x" };
        assert_eq!(m.db.register(again, "c2", &policy, at(2)).await.unwrap(), Registration::UsernameTaken);
        let mobile_taken = NewUser { username: "second", mobile: "13800000003", password_hash: "x" };
        m.db.issue_code(code("13800000003", "c3"), &[], at(3)).await.unwrap().unwrap();
        assert_eq!(m.db.register(mobile_taken, "c3", &policy, at(4)).await.unwrap(), Registration::MobileTaken);
        let ok = NewUser { username: "second", mobile: "13800000004", password_hash: "x" };
        assert!(matches!(m.db.register(ok, "c2", &policy, at(5)).await.unwrap(), Registration::Created(_)));
        let bad = NewUser { username: "third", mobile: "13800000005", password_hash: "x" };
        assert_eq!(
            m.db.register(bad, "none", &policy, at(6)).await.unwrap(),
            Registration::BadCode(CodeCheck::Wrong)
        );
    }

    async fn login_codes_password_upgrades_and_the_admin_flag(m: Migrated) {
        let policy = CodePolicy::default();
        let id = user(&m.db, "shopper", "13800000006").await;
        m.db.issue_code(
            NewCode { purpose: SmsPurpose::Login, ..code("13800000006", "login-hash") },
            &[],
            at(1),
        )
        .await
        .unwrap()
        .unwrap();
        let found = m.db.login_with_code("13800000006", "login-hash", &policy, at(2)).await.unwrap();
        assert_eq!(found.ok().flatten().map(|u| u.id), Some(id));
        assert_eq!(
            m.db.login_with_code("13800000006", "login-hash", &policy, at(3)).await.unwrap().err(),
            Some(CodeCheck::UsedUp)
        );
        assert!(!m.db.upgrade_password(id, "stale", "new").await.unwrap(), "only from the current hash");
        assert!(m.db.upgrade_password(id, "argon2id-hash", "new").await.unwrap());
        assert_eq!(m.db.user_by_id(id).await.unwrap().and_then(|u| u.password).as_deref(), Some("new"));
        assert!(m.db.set_role("shopper", Some(Role::Staff), &Actor::CLI, at(4)).await.unwrap());
        assert_eq!(m.db.user_by_id(id).await.unwrap().and_then(|u| u.role), Some(Role::Staff));
        assert!(m.db.set_role("shopper", None, &Actor::CLI, at(5)).await.unwrap());
        assert_eq!(m.db.user_by_id(id).await.unwrap().and_then(|u| u.role), None);
        assert!(!m.db.set_role("nobody", Some(Role::Admin), &Actor::CLI, at(6)).await.unwrap());
        // Each change is in the audit log, newest first.
        let log = m.db.audit_page(None, 0, 10).await.unwrap();
        assert_eq!(log.len(), 2);
        assert_eq!(log[0].detail, r#"{"role":["staff",null]}"#);
        assert_eq!(log[1].detail, r#"{"role":[null,"staff"]}"#);
        assert_eq!(log[0].action, AuditAction::UserRole);
        assert_eq!(log[0].actor_id, None, "the command line");
        assert_eq!(m.db.audit_page(Some(log[0].id), 0, 10).await.unwrap().len(), 1);
        assert_eq!(m.db.audit_count().await.unwrap(), 2);
    }
}
