//! Refunds: reserving an amount of a paid order, and settling WeChat's word.

use super::{OrderOps, names};
use crate::audit::AuditOps;
use crate::columns::naive;
use crate::orders::RefundRecordRow;
use crate::schema::{payorder, refund};
use crate::txn::Abort;
use crate::{AuditEntry, RefundRecord};
use crate::{Db, DbError};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use letao_domain::Fen;
use letao_domain::order::{EventKind, FulfilmentEvent, RefundEvent, RefundState, TradeEvent};

impl Db {
    /// Reserves `amount` of a paid order for a refund (never more than was
    /// paid, counting every earlier refund) and records the refund as
    /// PROCESSING, with the owner's audit entry, in one transaction. False
    /// when it would exceed what is left.
    pub async fn reserve_refund(
        &self,
        order_id: i32,
        out_refund_no: &str,
        amount: Fen,
        reason: &str,
        audit: &AuditEntry<'_>,
        now: DateTime<Utc>,
    ) -> Result<bool, DbError> {
        let fen = amount.get();
        write_txn!(self, |conn| {
            let n = diesel::update(
                payorder::table
                    .filter(payorder::id.eq(order_id))
                    .filter(payorder::wx_transaction_id.is_not_null())
                    .filter((payorder::refunded_fen + fen).le(payorder::total_fen)),
            )
            .set((
                payorder::refunded_fen.eq(payorder::refunded_fen + fen),
                payorder::updated_at.eq(naive(now)),
            ))
            .execute(conn)
            .await?;
            if n != 1 {
                return Err(Abort::Rollback(false));
            }
            diesel::insert_into(refund::table)
                .values((
                    refund::order_id.eq(order_id),
                    refund::out_refund_no.eq(out_refund_no),
                    refund::refund_fen.eq(fen),
                    refund::reason.eq(reason),
                    refund::state.eq(RefundState::Processing.as_str()),
                    refund::created_at.eq(naive(now)),
                    refund::updated_at.eq(naive(now)),
                ))
                .execute(conn)
                .await?;
            conn.add_event(
                order_id,
                EventKind::RefundRequested,
                &format!("{out_refund_no} {amount}"),
                now,
            )
            .await?;
            conn.audit(audit, now).await?;
            Ok(true)
        })
    }

    /// Records WeChat's word on a refund. Only an open (PROCESSING) refund
    /// changes, so a repeated notification changes nothing. A refund that
    /// is accepted or succeeds marks a paid order REFUND; one refused or
    /// closed gives its amount back to the order. `None` when there is no
    /// such refund.
    pub async fn settle_refund(
        &self,
        out_refund_no: &str,
        event: RefundEvent,
        refund_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Option<RefundRecord>, DbError> {
        write_txn!(self, |conn| {
            let current: Option<RefundRecord> = refund::table
                .select(RefundRecordRow::as_select())
                .filter(refund::out_refund_no.eq(out_refund_no))
                .first::<RefundRecordRow>(conn)
                .await
                .optional()?
                .map(Into::into);
            let Some(mut record) = current else {
                return Ok(None);
            };
            if let Some(id) = refund_id {
                diesel::update(
                    refund::table
                        .filter(refund::out_refund_no.eq(out_refund_no))
                        .filter(refund::refund_id.is_null()),
                )
                .set(refund::refund_id.eq(id))
                .execute(conn)
                .await?;
            }
            let Ok(next) = record.state.apply(event) else {
                return Ok(Some(record));
            };
            if next != record.state {
                let from: Vec<&str> = event.from_states().iter().map(|s| s.as_str()).collect();
                let n = diesel::update(
                    refund::table
                        .filter(refund::out_refund_no.eq(out_refund_no))
                        .filter(refund::state.eq_any(from)),
                )
                .set((
                    refund::state.eq(next.as_str()),
                    refund::updated_at.eq(naive(now)),
                ))
                .execute(conn)
                .await?;
                if n != 1 {
                    return Ok(Some(record));
                }
                conn.add_event(
                    record.order_id,
                    EventKind::Refund,
                    &format!("{out_refund_no} {next}"),
                    now,
                )
                .await?;
            }
            let order = payorder::table.filter(payorder::id.eq(record.order_id));
            if event.releases_amount() {
                diesel::update(order)
                    .set((payorder::refunded_fen.eq(payorder::refunded_fen - record.amount.get()),))
                    .execute(conn)
                    .await?;
            } else {
                diesel::update(order.filter(
                    payorder::trade_state.eq_any(names(TradeEvent::Refunded.from_states())),
                ))
                .set((payorder::trade_state.eq(TradeEvent::Refunded.to_state().as_str()),))
                .execute(conn)
                .await?;
                // Refunded in full before shipping: it will never ship.
                let cancel = FulfilmentEvent::Cancel;
                let from: Vec<&str> = cancel.from_states().iter().map(|s| s.as_str()).collect();
                let cancelled = diesel::update(
                    order
                        .filter(payorder::fulfilment.eq_any(from))
                        .filter(payorder::refunded_fen.ge(payorder::total_fen)),
                )
                .set((payorder::fulfilment.eq(cancel.to_state().as_str()),))
                .execute(conn)
                .await?;
                if cancelled == 1 {
                    // It will never ship: its pairs are for sale again,
                    // unless it was paid after closing, which released them.
                    let paid_after_close: bool =
                        order.select(payorder::refund_pending).first(conn).await?;
                    if !paid_after_close {
                        conn.release_stock(record.order_id).await?;
                    }
                    conn.add_event(
                        record.order_id,
                        EventKind::DeliveryCancelled,
                        out_refund_no,
                        now,
                    )
                    .await?;
                }
            }
            record.state = next;
            Ok(Some(record))
        })
    }
}
