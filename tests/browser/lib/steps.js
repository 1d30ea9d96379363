// UI steps several scenarios share.

/** Fills the storefront's password log-in form and submits it. */
export async function shopLogin(page, username, password) {
  await page.getByLabel('用户名', { exact: true }).fill(username);
  await page.getByLabel('密码', { exact: true }).fill(password);
  await page.getByRole('button', { name: '登录', exact: true }).click();
}

/** Fills the owner console's log-in form and submits it. */
export async function consoleLogin(page, username, password) {
  await page.getByLabel('用户名', { exact: true }).fill(username);
  await page.getByLabel('密码', { exact: true }).fill(password);
  await page.getByRole('button', { name: '登录', exact: true }).click();
}

/** The storefront's screen title. */
export function titleOf(page) {
  return page.locator('#title').textContent();
}

/** Taps a tab of the storefront's main navigation. */
export function tab(page, name) {
  return page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name, exact: false }).first().click();
}
