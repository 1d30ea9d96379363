// Register with an SMS code: POST /sms {mobile, purpose:"register"}, then
// POST /register {username, password, repeat_password, mobile, smscode}; on
// success log in with the same password and go back.

import { h, field, formStatus, onSubmit } from '/common/dom.js';
import { MOBILE_RE } from '/common/format.js';
import { link } from '/common/router.js';
import { smsButton } from '/shop/sms.js';
import { input } from '/shop/ui.js';
import { finishLogin } from '/shop/login.js';

function check({ username, password, repeat, mobile, smscode }) {
  const chars = [...username].length;
  if (chars < 3 || chars > 20 || username.trim() !== username) return '用户名为 3–20 个字符，首尾不能有空格';
  if (password.length < 6 || password.length > 64) return '密码为 6–64 个字符';
  if (password !== repeat) return '两次输入的密码不一致';
  if (!MOBILE_RE.test(mobile)) return '请输入正确的 11 位手机号';
  if (!/^\d{6}$/.test(smscode)) return '请输入 6 位验证码';
  return null;
}

export default function register(ctx) {
  ctx.setTitle('注册');
  const status = formStatus();
  const smsStatus = formStatus();
  const mobile = input('mobile', { type: 'tel', inputmode: 'numeric', autocomplete: 'tel', required: true, maxlength: 11 });
  const form = h(
    'form',
    { class: 'form', novalidate: true },
    field('用户名', input('username', { autocomplete: 'username', required: true, maxlength: 20 }), '3–20 个字符'),
    field('密码', input('password', { type: 'password', autocomplete: 'new-password', required: true, maxlength: 64 }), '6–64 个字符'),
    field('确认密码', input('repeat_password', { type: 'password', autocomplete: 'new-password', required: true, maxlength: 64 })),
    field('手机号', mobile),
    h(
      'div',
      { class: 'inline-field' },
      field('验证码', input('smscode', { inputmode: 'numeric', autocomplete: 'one-time-code', required: true, maxlength: 6 })),
      smsButton(ctx, mobile, 'register', smsStatus),
    ),
    smsStatus.el,
    status.el,
    h('button', { type: 'submit', class: 'btn primary block' }, '注册'),
  );
  onSubmit(
    form,
    status,
    async () => {
      const values = {
        username: form.elements.username.value,
        password: form.elements.password.value,
        repeat: form.elements.repeat_password.value,
        mobile: mobile.value.trim(),
        smscode: form.elements.smscode.value.trim(),
      };
      const problem = check(values);
      if (problem) throw new Error(problem);
      await ctx.api.post('/register', {
        username: values.username,
        password: values.password,
        repeat_password: values.repeat,
        mobile: values.mobile,
        smscode: values.smscode,
      });
      const reply = await ctx.api.post('/login', { username: values.username, password: values.password });
      await finishLogin(ctx, reply);
    },
    { busyText: '注册中…' },
  );
  ctx.main.append(
    h(
      'section',
      { class: 'auth' },
      form,
      h('p', { class: 'muted' }, '已有账号？', h('a', { href: link('/login', { back: ctx.query.back }) }, '登录')),
    ),
  );
}
