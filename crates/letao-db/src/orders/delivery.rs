//! Delivery: the address an order ships to, shipping, and receipt.

use super::{OrderOps, names};
use crate::audit::AuditOps;
use crate::columns::{OptUtcTime, naive};
use crate::orders::OrderRecordRow;
use crate::schema::{order_delivery, payorder};
use crate::txn::Abort;
use crate::{AddressSet, AuditEntry, DeliveryRecord, OrderRecord, Shipment, Shipped};
use crate::{Db, DbError};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use letao_domain::DeliveryAddress;
use letao_domain::order::{EventKind, Fulfilment, FulfilmentEvent, ShipBlocker, TradeState};

/// An order's delivery row: the address copied into it, and the shipment.
#[derive(Queryable, Selectable)]
#[diesel(table_name = order_delivery)]
pub(crate) struct DeliveryRecordRow {
    /// The order's row id.
    order_id: i32,
    /// Recipient.
    name: Option<String>,
    /// Recipient's mobile.
    mobile: Option<String>,
    /// Province.
    province: Option<String>,
    /// City.
    city: Option<String>,
    /// District.
    district: Option<String>,
    /// Street and number.
    detail: Option<String>,
    /// Carrier.
    carrier: Option<String>,
    /// Tracking number.
    tracking_no: Option<String>,
    /// When it shipped.
    #[diesel(deserialize_as = OptUtcTime)]
    shipped_at: Option<DateTime<Utc>>,
    /// When it was received.
    #[diesel(deserialize_as = OptUtcTime)]
    received_at: Option<DateTime<Utc>>,
}

impl From<DeliveryRecordRow> for DeliveryRecord {
    fn from(r: DeliveryRecordRow) -> Self {
        DeliveryRecord {
            order_id: r.order_id,
            name: r.name,
            mobile: r.mobile,
            province: r.province,
            city: r.city,
            district: r.district,
            detail: r.detail,
            carrier: r.carrier,
            tracking_no: r.tracking_no,
            shipped_at: r.shipped_at,
            received_at: r.received_at,
        }
    }
}

/// The delivery columns an address sets.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = order_delivery, treat_none_as_default_value = false)]
pub(super) struct AddressColumns<'a> {
    name: &'a str,
    mobile: &'a str,
    province: &'a str,
    city: &'a str,
    district: &'a str,
    detail: &'a str,
}

pub(super) fn address_columns(a: &DeliveryAddress) -> AddressColumns<'_> {
    AddressColumns {
        name: &a.name,
        mobile: a.mobile.as_str(),
        province: &a.province,
        city: &a.city,
        district: &a.district,
        detail: &a.detail,
    }
}

/// Writing the delivery row inside a caller's transaction.
pub(crate) trait DeliveryOps {
    /// Creates or replaces the address of an order's delivery row.
    fn put_address(
        &mut self,
        order_id: i32,
        address: Option<&DeliveryAddress>,
    ) -> impl Future<Output = Result<(), diesel::result::Error>> + Send;
}

impl_for_each_conn!(DeliveryOps {
    async fn put_address(
        &mut self,
        order_id: i32,
        address: Option<&DeliveryAddress>,
    ) -> Result<(), diesel::result::Error> {
        let row = order_delivery::table.filter(order_delivery::order_id.eq(order_id));
        let updated = match address {
            Some(a) => diesel::update(row).set(address_columns(a)).execute(self).await?,
            None => 0,
        };
        if updated == 0 {
            let exists: i64 = row.count().get_result(self).await?;
            if exists == 0 {
                let insert = diesel::insert_into(order_delivery::table);
                match address {
                    Some(a) => {
                        insert
                            .values((order_delivery::order_id.eq(order_id), address_columns(a)))
                            .execute(self)
                            .await?
                    }
                    None => {
                        insert
                            .values(order_delivery::order_id.eq(order_id))
                            .execute(self)
                            .await?
                    }
                };
            }
        }
        Ok(())
    }
});

impl Db {
    /// The delivery rows of some orders (orders from before delivery
    /// existed have none).
    pub async fn deliveries(&self, order_ids: &[i32]) -> Result<Vec<DeliveryRecord>, DbError> {
        read_conn!(self, |conn| {
            Ok(order_delivery::table
                .select(DeliveryRecordRow::as_select())
                .filter(order_delivery::order_id.eq_any(order_ids))
                .load::<DeliveryRecordRow>(conn)
                .await?
                .into_iter()
                .map(Into::into)
                .collect::<Vec<_>>())
        })
    }

    /// Copies `address` into an order that has not shipped, in one
    /// transaction with an event.
    pub async fn set_order_address(
        &self,
        order_id: i32,
        address: &DeliveryAddress,
        now: DateTime<Utc>,
    ) -> Result<AddressSet, DbError> {
        let editable = [Fulfilment::Unshipped.as_str()];
        write_txn!(self, |conn| {
            // Locks the order row while it is still unshipped.
            let n = diesel::update(
                payorder::table
                    .filter(payorder::id.eq(order_id))
                    .filter(payorder::fulfilment.eq_any(editable)),
            )
            .set((payorder::updated_at.eq(naive(now)),))
            .execute(conn)
            .await?;
            if n != 1 {
                let state: String = payorder::table
                    .select(payorder::fulfilment)
                    .filter(payorder::id.eq(order_id))
                    .first(conn)
                    .await?;
                let state = Fulfilment::parse(&state).unwrap_or(Fulfilment::Shipped);
                return Err(Abort::Rollback(AddressSet::NotEditable(state)));
            }
            conn.put_address(order_id, Some(address)).await?;
            conn.add_event(order_id, EventKind::Address, &address.city, now)
                .await?;
            Ok(AddressSet::Set)
        })
    }

    /// Ships an order: a paid, not fully refunded, unshipped order with an
    /// address becomes SHIPPED in one conditional update, with the
    /// shipment, an event and the audit entry in the same transaction.
    /// The same shipment again changes nothing.
    pub async fn ship_order(
        &self,
        order_id: i32,
        shipment: &Shipment,
        audit: &AuditEntry<'_>,
        now: DateTime<Utc>,
    ) -> Result<Shipped, DbError> {
        let ship = FulfilmentEvent::Ship;
        let from: Vec<&str> = ship.from_states().iter().map(|s| s.as_str()).collect();
        let paid = names(&[TradeState::Success, TradeState::Refund]);
        let outcome = write_txn!(self, |conn| {
            let with_address = order_delivery::table
                .select(order_delivery::order_id)
                .filter(order_delivery::order_id.eq(order_id))
                .filter(order_delivery::name.is_not_null());
            let n = diesel::update(
                payorder::table
                    .filter(payorder::id.eq(order_id))
                    .filter(payorder::fulfilment.eq_any(&from))
                    .filter(payorder::trade_state.eq_any(&paid))
                    .filter(payorder::refunded_fen.lt(payorder::total_fen))
                    .filter(diesel::dsl::exists(with_address)),
            )
            .set((
                payorder::fulfilment.eq(ship.to_state().as_str()),
                payorder::updated_at.eq(naive(now)),
            ))
            .execute(conn)
            .await?;
            if n != 1 {
                return Ok(None);
            }
            diesel::update(order_delivery::table.filter(order_delivery::order_id.eq(order_id)))
                .set((
                    order_delivery::carrier.eq(&shipment.carrier),
                    order_delivery::tracking_no.eq(&shipment.tracking_no),
                    order_delivery::shipped_at.eq(naive(now)),
                ))
                .execute(conn)
                .await?;
            let detail = format!("{} {}", shipment.carrier, shipment.tracking_no);
            conn.add_event(order_id, EventKind::Shipped, &detail, now)
                .await?;
            conn.audit(audit, now).await?;
            Ok(Some(Shipped::Now))
        })?;
        if let Some(shipped) = outcome {
            return Ok(shipped);
        }
        // Not shipped now: say why, from the order as it stands.
        let order: Option<OrderRecord> = read_conn!(self, |conn| {
            Ok(payorder::table
                .select(OrderRecordRow::as_select())
                .filter(payorder::id.eq(order_id))
                .first::<OrderRecordRow>(conn)
                .await
                .optional()?
                .map(Into::into))
        })?;
        let Some(order) = order else {
            return Ok(Shipped::Blocked(ShipBlocker::NotPaid));
        };
        let delivery = self.deliveries(&[order_id]).await?.pop();
        if matches!(order.fulfilment, Fulfilment::Shipped | Fulfilment::Received) {
            let existing = Shipment {
                carrier: delivery
                    .as_ref()
                    .and_then(|d| d.carrier.clone())
                    .unwrap_or_default(),
                tracking_no: delivery.and_then(|d| d.tracking_no).unwrap_or_default(),
            };
            return Ok(if existing == *shipment {
                Shipped::Already
            } else {
                Shipped::Conflict(existing)
            });
        }
        let has_address = delivery.is_some_and(|d| d.has_address());
        Ok(
            match order.fulfilment.can_ship(
                order.trade_state,
                order.total,
                order.refunded,
                has_address,
            ) {
                Err(blocker) => Shipped::Blocked(blocker),
                // Allowed now, refused a moment ago: it changed meanwhile.
                Ok(()) => Shipped::Blocked(ShipBlocker::NotUnshipped(order.fulfilment)),
            },
        )
    }

    /// Marks a shipped order received (by the buyer, or automatically),
    /// once: false when it was not SHIPPED.
    pub async fn receive_order(
        &self,
        order_id: i32,
        how: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, DbError> {
        let receive = FulfilmentEvent::Receive;
        let from: Vec<&str> = receive.from_states().iter().map(|s| s.as_str()).collect();
        write_txn!(self, |conn| {
            let n = diesel::update(
                payorder::table
                    .filter(payorder::id.eq(order_id))
                    .filter(payorder::fulfilment.eq_any(&from)),
            )
            .set((
                payorder::fulfilment.eq(receive.to_state().as_str()),
                payorder::updated_at.eq(naive(now)),
            ))
            .execute(conn)
            .await?;
            if n != 1 {
                return Ok(false);
            }
            diesel::update(order_delivery::table.filter(order_delivery::order_id.eq(order_id)))
                .set(order_delivery::received_at.eq(naive(now)))
                .execute(conn)
                .await?;
            conn.add_event(order_id, EventKind::Received, how, now)
                .await?;
            Ok(true)
        })
    }

    /// Orders shipped before `cutoff` and not yet received (oldest first):
    /// candidates for automatic receipt.
    pub async fn due_receipts(
        &self,
        cutoff: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<i32>, DbError> {
        read_conn!(self, |conn| {
            Ok(order_delivery::table
                .inner_join(payorder::table)
                .select(order_delivery::order_id)
                .filter(order_delivery::received_at.is_null())
                .filter(order_delivery::shipped_at.lt(naive(cutoff)))
                .filter(payorder::fulfilment.eq(Fulfilment::Shipped.as_str()))
                .order(order_delivery::shipped_at)
                .limit(limit)
                .load(conn)
                .await?)
        })
    }
}
