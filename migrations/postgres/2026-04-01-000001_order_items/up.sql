-- Each order's lines as JSON on the order row, written with the order (its
-- lines never change), so that a page of orders with their lines is one
-- statement. `order_item` stays the relational record of the lines (stock
-- release, reports). NULL: no lines (an order adopted from the original
-- server, which kept none).
ALTER TABLE payorder ADD COLUMN items TEXT;

UPDATE payorder SET items = l.items
FROM (
  SELECT order_id, json_agg(json_build_object(
    'product_id', product_id, 'name', name, 'unit_fen', unit_fen, 'quantity', quantity)
    ORDER BY id)::text AS items
  FROM order_item GROUP BY order_id) AS l
WHERE l.order_id = payorder.id;
