//! Schemas of the values whose wire form the derives cannot see: state
//! names (listed from the domain's own tables, so the document cannot
//! drift from them), money in yuan, and the audit detail's free JSON.

use letao_domain::order::{EventKind, Fulfilment, RefundState, TradeState};
use letao_domain::reconciliation::{DifferenceKind, ReconcileState};
use letao_domain::{AuditAction, HomeItemKind, Role};
use serde_json::json;
use utoipa::openapi::schema::{Array, ArrayBuilder, ObjectBuilder, SchemaType, Type};
use utoipa::openapi::{Object, Schema};

/// A string enum of `names`.
fn names<'a>(names: impl IntoIterator<Item = &'a str>, description: &str) -> Object {
    let mut values: Vec<&str> = Vec::new();
    for n in names {
        if !values.contains(&n) {
            values.push(n);
        }
    }
    let first = values.first().copied().unwrap_or_default();
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
        .description(Some(description))
        .examples([json!(first)])
        .build()
}

/// `trade_state`: WeChat's words (a close in progress reads as `NOTPAY`);
/// the values replies carry and the owner's list filter takes.
pub fn trade_state() -> Object {
    names(
        TradeState::public_states().map(TradeState::as_str),
        "Payment state, in WeChat's words.",
    )
}

/// `fulfilment`: every delivery state, in replies and in the owner's
/// list filter alike.
pub fn fulfilment() -> Object {
    names(
        Fulfilment::ALL.iter().map(|s| s.as_str()),
        "Delivery state: UNSHIPPED → SHIPPED → RECEIVED, or CANCELLED when refunded in full before shipping.",
    )
}

/// A refund's state.
pub fn refund_state() -> Object {
    names(
        RefundState::ALL.iter().map(|s| s.as_str()),
        "Refund state, following WeChat's answer.",
    )
}

/// An owner role, or null for a shopper.
pub fn role() -> Object {
    let mut o = names(
        Role::ALL.iter().map(|r| r.as_str()),
        "Owner role: admin (everything) or staff (orders: read, ship); null for a shopper.",
    );
    o.schema_type = SchemaType::from_iter([Type::String, Type::Null]);
    if let Some(values) = o.enum_values.as_mut() {
        values.push(serde_json::Value::Null);
    }
    o
}

/// An order event's kind.
pub fn event_kind() -> Object {
    names(
        EventKind::ALL.iter().map(|k| k.as_str()),
        "What happened to the order.",
    )
}

/// An audited owner action.
pub fn audit_action() -> Object {
    names(
        AuditAction::ALL.iter().map(|a| a.as_str()),
        "The owner's action.",
    )
}

/// A reconciliation's state.
pub fn reconcile_state() -> Object {
    names(
        ReconcileState::ALL.iter().map(|s| s.as_str()),
        "`done`, or `waiting`/`running`/`failed` while the daily job works on the day.",
    )
}

/// A reconciliation difference's kind.
pub fn difference_kind() -> Object {
    names(
        DifferenceKind::ALL.iter().map(|k| k.as_str()),
        "What does not match between WeChat's bill and the books.",
    )
}

/// A price in yuan as the server sends it: a JSON number written with
/// exactly two decimals (`399.00`). Not `multipleOf: 0.01`: binary
/// floating point makes validators refuse most such values.
pub fn yuan() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Number)
        .format(Some(utoipa::openapi::SchemaFormat::Custom(
            "yuan".to_owned(),
        )))
        .minimum(Some(0))
        .description(Some(
            "Yuan, a JSON number written with two decimals (399.00); 1 yuan = 100 fen.",
        ))
        .examples([json!(399.0)])
        .build()
}

/// A price in yuan as the owner sends it: a number or a decimal string,
/// at most two decimals, read exactly (never through a float).
pub fn yuan_input() -> Schema {
    Schema::OneOf(
        utoipa::openapi::schema::OneOfBuilder::new()
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::Number)
                    .minimum(Some(0))
                    .maximum(Some(100_000_000)),
            )
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(r"^[0-9]{1,9}(\.[0-9]{1,2})?$")),
            )
            .description(Some(
                "Yuan with at most two decimals, as a number (19.99) or a string (\"19.99\"); \
                 more decimals, exponents and negatives are 400/1010.",
            ))
            .examples([json!(399.0), json!("399.00")])
            .build(),
    )
}

/// Any JSON value (the audit entry's before/after).
pub fn any_json() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::AnyValue)
        .description(Some("Any JSON: the change's before/after."))
        .build()
}

/// A home item's kind.
pub fn home_kind() -> Object {
    names(
        [HomeItemKind::Grid, HomeItemKind::Banner].map(HomeItemKind::as_str),
        "`grid` (the home grid's icons) or `banner` (the carousel).",
    )
}

/// A brand's `hot`: 0 or 1, or a boolean.
pub fn hot() -> Schema {
    Schema::OneOf(
        utoipa::openapi::schema::OneOfBuilder::new()
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .enum_values(Some([0, 1])),
            )
            .item(ObjectBuilder::new().schema_type(Type::Boolean))
            .item(ObjectBuilder::new().schema_type(Type::Null))
            .description(Some("0 or 1 (or false/true): shown among the hot brands."))
            .examples([json!(1)])
            .build(),
    )
}

/// A product's search keywords.
pub fn keywords() -> Array {
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(20))
                .pattern(Some(
                    r"^[^,\s\x00-\x1f\x7f-\x9f]([^,\x00-\x1f\x7f-\x9f]*[^,\s\x00-\x1f\x7f-\x9f])?$",
                )),
        )
        .max_items(Some(10))
        .unique_items(true)
        .description(Some(
            "Up to 10 distinct words shoppers search for (1 to 20 characters, without commas); \
             `[]` clears them.",
        ))
        .examples([json!(["跑鞋", "慢跑"])])
        .build()
}

/// A product's sizes: 1 to 20 distinct texts of 1 to 8 characters.
pub fn sizes() -> Array {
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(8))
                .pattern(Some("^[^,]+$")),
        )
        .min_items(Some(1))
        .max_items(Some(20))
        .unique_items(true)
        .description(Some(
            "1 to 20 distinct sizes of 1 to 8 characters, without commas.",
        ))
        .examples([json!(["40", "41", "42"])])
        .build()
}
