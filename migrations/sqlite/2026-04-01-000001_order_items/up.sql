-- Each order's lines as JSON on the order row, written with the order (its
-- lines never change), so that a page of orders with their lines is one
-- statement. `order_item` stays the relational record of the lines (stock
-- release, reports). NULL: no lines (an order adopted from the original
-- server, which kept none).
ALTER TABLE payorder ADD COLUMN items TEXT;

UPDATE payorder SET items = (
  SELECT json_group_array(json_object(
    'product_id', l.product_id, 'name', l.name, 'unit_fen', l.unit_fen, 'quantity', l.quantity))
  FROM (SELECT * FROM order_item WHERE order_item.order_id = payorder.id ORDER BY order_item.id) AS l)
WHERE EXISTS (SELECT 1 FROM order_item WHERE order_item.order_id = payorder.id);
