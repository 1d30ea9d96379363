-- Each order's lines as JSON on the order row, written with the order (its
-- lines never change), so that a page of orders with their lines is one
-- statement. `order_item` stays the relational record of the lines (stock
-- release, reports). NULL: no lines (an order adopted from the original
-- server, which kept none).
ALTER TABLE `payorder` ADD COLUMN `items` text DEFAULT NULL;

-- GROUP_CONCAT rather than JSON_ARRAYAGG: MySQL 8 cannot order the latter.
SET SESSION group_concat_max_len = 16777216;
UPDATE `payorder` SET `items` = (
  SELECT CONCAT('[', GROUP_CONCAT(JSON_OBJECT(
    'product_id', l.`product_id`, 'name', l.`name`, 'unit_fen', l.`unit_fen`, 'quantity', l.`quantity`)
    ORDER BY l.`id` SEPARATOR ','), ']')
  FROM `order_item` l WHERE l.`order_id` = `payorder`.`id`)
WHERE EXISTS (SELECT 1 FROM `order_item` l WHERE l.`order_id` = `payorder`.`id`);
