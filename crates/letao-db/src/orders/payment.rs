//! Recording a payment exactly once, whoever reports it.

use super::{OrderOps, names};
use crate::columns::naive;
use crate::schema::payorder;
use crate::{Db, DbError};
use crate::{Payment, Recorded};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use letao_domain::Fen;
use letao_domain::order::{EventKind, TradeEvent};

#[derive(Queryable, Selectable)]
#[diesel(table_name = payorder)]
struct Current {
    id: i32,
    #[diesel(column_name = total_fen, deserialize_as = i64)]
    total: Fen,
    #[diesel(column_name = wx_transaction_id)]
    transaction_id: Option<String>,
}

impl Db {
    /// Records a payment exactly once: unpaid (or closing) becomes paid in
    /// one conditional update, with an event in the same transaction that
    /// names its source. A duplicate changes nothing. A payment for a
    /// closed order is recorded and flagged for refund, never lost.
    pub async fn record_payment(
        &self,
        p: &Payment<'_>,
        now: DateTime<Utc>,
    ) -> Result<Recorded, DbError> {
        let detail = format!("{} {}", p.source, p.transaction_id);
        write_txn!(self, |conn| {
            let current: Option<Current> = payorder::table
                .select(Current::as_select())
                .filter(payorder::out_trade_no.eq(p.out_trade_no))
                .first(conn)
                .await
                .optional()?;
            let Some(current) = current else {
                return Ok(Recorded::UnknownOrder);
            };
            if current.total != p.total {
                return Ok(Recorded::AmountMismatch);
            }
            if let Some(existing) = current.transaction_id {
                return Ok(if existing == p.transaction_id {
                    Recorded::AlreadyPaid
                } else {
                    Recorded::OtherTransaction
                });
            }
            let facts = (
                payorder::wx_transaction_id.eq(p.transaction_id),
                payorder::paid_at.eq(naive(now)),
                payorder::wx_bank_type.eq(p.bank_type),
                payorder::wx_time_end.eq(p.time_end),
                payorder::cash_fen.eq(p.cash.map(Fen::get)),
                payorder::wx_openid.eq(p.openid),
                payorder::updated_at.eq(naive(now)),
            );
            let unpaid = payorder::table
                .filter(payorder::id.eq(current.id))
                .filter(payorder::wx_transaction_id.is_null());
            let paid = diesel::update(
                unpaid.filter(payorder::trade_state.eq_any(names(TradeEvent::Pay.from_states()))),
            )
            .set((
                facts,
                payorder::trade_state.eq(TradeEvent::Pay.to_state().as_str()),
                payorder::claimed_at.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)
            .await?;
            if paid == 1 {
                conn.add_event(current.id, EventKind::Paid, &detail, now)
                    .await?;
                return Ok(Recorded::Paid);
            }
            let late = diesel::update(unpaid.filter(
                payorder::trade_state.eq_any(names(TradeEvent::PayAfterClose.from_states())),
            ))
            .set((facts, payorder::refund_pending.eq(true)))
            .execute(conn)
            .await?;
            if late == 1 {
                conn.add_event(current.id, EventKind::PaidAfterClose, &detail, now)
                    .await?;
                return Ok(Recorded::PaidAfterClose);
            }
            // A concurrent transaction recorded it first.
            Ok(Recorded::AlreadyPaid)
        })
    }
}
