//! diesel table definitions shared by the three backends.
//!
//! The original server's tables keep their names and camelCase columns so an
//! original database is adopted in place; `sql_name` maps them to Rust names.

diesel::table! {
    /// First-level categories (original table).
    category (id) {
        id -> Integer,
        #[sql_name = "categoryName"]
        category_name -> Nullable<Text>,
    }
}

diesel::table! {
    /// Brands, the second level (original table).
    brand (id) {
        id -> Integer,
        #[sql_name = "brandName"]
        brand_name -> Nullable<Text>,
        #[sql_name = "categoryId"]
        category_id -> Nullable<Integer>,
        #[sql_name = "brandLogo"]
        brand_logo -> Nullable<Text>,
        hot -> Nullable<Integer>,
    }
}

diesel::table! {
    /// Products; prices in fen.
    product (id) {
        id -> Integer,
        brand_id -> Integer,
        name -> Text,
        img -> Text,
        price_fen -> BigInt,
        old_price_fen -> BigInt,
        sizes -> Text,
        stock -> Integer,
        featured -> Bool,
        sort_order -> Integer,
        created_at -> Timestamp,
        hidden -> Bool,
        sku_pool -> Bool,
        keywords -> Text,
    }
}

diesel::table! {
    /// Search tokens of the products on sale, with the weight of the best
    /// field each is in (docs/search.md).
    search_token (token, product_id) {
        token -> Text,
        product_id -> Integer,
        weight -> SmallInt,
    }
}

diesel::table! {
    /// Which tokenizer version wrote `search_token` (one row).
    search_index (id) {
        id -> Integer,
        tokenizer -> Integer,
    }
}

diesel::table! {
    /// A product's sizes (and colours), each with its stock; `colour` is ''
    /// for a one-colour product.
    sku (id) {
        id -> Integer,
        product_id -> Integer,
        size -> Text,
        colour -> Text,
        code -> Text,
        price_fen -> Nullable<BigInt>,
        stock -> Integer,
        active -> Bool,
        position -> Integer,
    }
}

diesel::table! {
    /// A buyer's cart: a line per SKU.
    cart_line (user_id, sku_id) {
        user_id -> Integer,
        sku_id -> Integer,
        quantity -> Integer,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// Home-page images: grid icons and carousel banners, keyed by (kind, id).
    home_item (kind, id) {
        kind -> Text,
        id -> Integer,
        img_src -> Text,
        sort_order -> Integer,
    }
}

diesel::table! {
    /// Users (original table, extended).
    user (id) {
        id -> Integer,
        username -> Nullable<Text>,
        password -> Nullable<Text>,
        mobile -> Nullable<Text>,
        password_scheme -> Text,
        created_at -> Timestamp,
        role -> Nullable<Text>,
        address_count -> Integer,
    }
}

diesel::table! {
    /// Issued SMS verification codes (keyed hashes only).
    sms_code (id) {
        id -> BigInt,
        mobile -> Text,
        purpose -> Text,
        code_hash -> Text,
        client_ip -> Text,
        created_at -> Timestamp,
        attempts -> Integer,
        consumed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    /// Fixed-window rate counters.
    rate_limit (bucket) {
        bucket -> Text,
        window_start -> Timestamp,
        hits -> Integer,
    }
}

diesel::table! {
    /// Orders (the original `payorder` table, extended).
    payorder (id) {
        id -> Integer,
        appid -> Text,
        mch_id -> Text,
        nonce_str -> Text,
        body -> Text,
        out_trade_no -> Text,
        total_fee -> Text,
        spbill_create_ip -> Text,
        trade_type -> Text,
        trade_state -> Text,
        user_id -> Nullable<Integer>,
        total_fen -> BigInt,
        prepay_id -> Nullable<Text>,
        code_url -> Nullable<Text>,
        expires_at -> Nullable<Timestamp>,
        wx_transaction_id -> Nullable<Text>,
        paid_at -> Nullable<Timestamp>,
        wx_time_end -> Nullable<Text>,
        wx_bank_type -> Nullable<Text>,
        cash_fen -> Nullable<BigInt>,
        wx_openid -> Nullable<Text>,
        refund_pending -> Bool,
        refunded_fen -> BigInt,
        claimed_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        fulfilment -> Text,
        items -> Nullable<Text>,
    }
}

diesel::table! {
    /// An order's delivery: the address copied when set, and the shipment.
    order_delivery (order_id) {
        order_id -> Integer,
        name -> Nullable<Text>,
        mobile -> Nullable<Text>,
        province -> Nullable<Text>,
        city -> Nullable<Text>,
        district -> Nullable<Text>,
        detail -> Nullable<Text>,
        carrier -> Nullable<Text>,
        tracking_no -> Nullable<Text>,
        shipped_at -> Nullable<Timestamp>,
        received_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    /// Buyers' delivery addresses.
    address (id) {
        id -> Integer,
        user_id -> Integer,
        name -> Text,
        mobile -> Text,
        province -> Text,
        city -> Text,
        district -> Text,
        detail -> Text,
        is_default -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// Every owner write: who, what, on what, and a compact before/after.
    audit_log (id) {
        id -> BigInt,
        at -> Timestamp,
        actor_id -> Nullable<Integer>,
        actor_name -> Nullable<Text>,
        action -> Text,
        target -> Text,
        detail -> Text,
    }
}

diesel::table! {
    /// One reconciliation report per bill day, and the daily job's claim on it.
    reconciliation (bill_date) {
        bill_date -> Text,
        state -> Text,
        attempts -> Integer,
        next_try_at -> Nullable<Timestamp>,
        claimed_at -> Nullable<Timestamp>,
        matched -> Integer,
        recovered -> Integer,
        bill_rows -> Integer,
        differences -> Text,
        error -> Nullable<Text>,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    /// Version counters instances compare to drop their caches.
    shop_version (name) {
        name -> Text,
        version -> BigInt,
    }
}

diesel::table! {
    /// Order lines, priced when the order was placed.
    order_item (id) {
        id -> Integer,
        order_id -> Integer,
        product_id -> Integer,
        name -> Text,
        unit_fen -> BigInt,
        quantity -> Integer,
        sku_id -> Nullable<Integer>,
        size -> Nullable<Text>,
        colour -> Nullable<Text>,
        code -> Nullable<Text>,
    }
}

diesel::table! {
    /// Refunds, one row per out_refund_no.
    refund (id) {
        id -> Integer,
        order_id -> Integer,
        out_refund_no -> Text,
        refund_fen -> BigInt,
        reason -> Text,
        state -> Text,
        refund_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// One row per change of an order.
    order_event (id) {
        id -> BigInt,
        order_id -> Integer,
        kind -> Text,
        detail -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Buyers' openids, one per official account.
    wechat_openid (user_id, appid) {
        user_id -> Integer,
        appid -> Text,
        openid -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// OAuth round trips begun by buyers (single-use states).
    oauth_state (state) {
        state -> Text,
        user_id -> Integer,
        appid -> Text,
        nonce_hash -> Text,
        next_path -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(order_delivery -> payorder (order_id));
diesel::joinable!(order_item -> payorder (order_id));
diesel::joinable!(payorder -> user (user_id));
diesel::joinable!(sku -> product (product_id));
diesel::joinable!(search_token -> product (product_id));
diesel::joinable!(cart_line -> sku (sku_id));

diesel::allow_tables_to_appear_in_same_query!(
    order_delivery,
    reconciliation,
    address,
    audit_log,
    shop_version,
    category,
    brand,
    product,
    home_item,
    user,
    sms_code,
    rate_limit,
    payorder,
    order_item,
    refund,
    order_event,
    sku,
    cart_line,
    wechat_openid,
    oauth_state,
    search_token,
    search_index
);
