// The "get code" button: POST /sms {mobile, purpose}, then a countdown (60 s,
// or the server's Retry-After when it says too many).

import { h } from '/common/dom.js';
import { MOBILE_RE } from '/common/format.js';

const COOLDOWN = 60;

export function smsButton(ctx, mobileInput, purpose, status) {
  let timer = null;
  const button = h('button', { type: 'button', class: 'btn small sms-btn' }, '获取验证码');

  function countdown(seconds) {
    clearInterval(timer);
    let left = seconds;
    button.disabled = true;
    button.textContent = `${left} 秒后重发`;
    timer = setInterval(() => {
      left -= 1;
      if (left <= 0) {
        clearInterval(timer);
        button.disabled = false;
        button.textContent = '获取验证码';
      } else button.textContent = `${left} 秒后重发`;
    }, 1000);
  }
  ctx.onCleanup(() => clearInterval(timer));

  button.addEventListener('click', async () => {
    const mobile = mobileInput.value.trim();
    if (!MOBILE_RE.test(mobile)) {
      status.error('请输入正确的 11 位手机号');
      mobileInput.focus();
      return;
    }
    button.disabled = true;
    button.textContent = '发送中…';
    status.clear();
    try {
      await ctx.api.post('/sms', { mobile, purpose });
      status.info(`验证码已发送至 ${mobile}，5 分钟内有效`);
      countdown(COOLDOWN);
    } catch (err) {
      status.error(err);
      if (err.retryAfter) countdown(err.retryAfter);
      else {
        button.disabled = false;
        button.textContent = '获取验证码';
      }
    }
  });
  return button;
}
