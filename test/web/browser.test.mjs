// web.browser (CTest): the inspector's day in a real browser. Starts a real `funeral-registry serve` on a
// free loopback port with a fresh SQLite database (migrated, demo data, users added with --password-stdin),
// drives Debian's chromium with playwright-core, runs axe-core in every page (no serious or critical
// violations), saves a screenshot of every page under ./screenshots/ (the build directory), and checks
// every page's HTML with the Nu Html Checker (vnu.jar) at the end. Plain HTTP requests check the CSRF
// refusals. Usage: node browser.test.mjs FUNERAL_REGISTRY_BINARY SOURCE_DIR
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const [binary, sourceDir] = process.argv.slice(2);
if (!binary || !sourceDir) {
  console.error('usage: node browser.test.mjs FUNERAL_REGISTRY_BINARY SOURCE_DIR');
  process.exit(2);
}
const { chromium } = require('playwright-core');
const axePath = require.resolve('axe-core/axe.min.js');
const vnuJar = path.join(path.dirname(require.resolve('vnu-jar/package.json')), 'build/dist/vnu.jar');

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'registry-web-'));
const shots = path.resolve('screenshots');
fs.mkdirSync(shots, { recursive: true });
for (const f of fs.readdirSync(shots)) if (f.endsWith('.png')) fs.rmSync(path.join(shots, f));
const password = 'correct-horse-42';
const settings = (port) => [
  '--set', `db.url=sqlite3:${path.join(work, 'registry.db')}`,
  '--set', `plugins.dir=${path.join(sourceDir, 'plugins')}`,
  '--set', 'auth.pbkdf2_iterations=1000',
  '--set', `http.port=${port}`,
  '--set', 'plugins.watch_interval_ms=0',
  // The finder's map with one blank tile from a data: URL: nothing is fetched from outside this machine.
  '--set', 'public.map_tiles_url=data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
];

function run(args, input) {
  const r = spawnSync(binary, args, { input, encoding: 'utf8', cwd: work });
  if (r.status !== 0) throw new Error(`funeral-registry ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
    s.on('error', reject);
  });
}

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
run([...settings(port), 'migrate']);
run([...settings(port), 'demo-data', '--scale', '1']);
run([...settings(port), 'user', 'add', 'hd_inspector', '--role', 'inspector', '--district', '110108',
  '--display-name', '王海', '--password-stdin'], password + '\n');
run([...settings(port), 'user', 'add', 'hd_it', '--role', 'district_it', '--district', '110108',
  '--display-name', '赵信', '--password-stdin'], password + '\n');
run([...settings(port), 'user', 'add', 'city_admin', '--role', 'admin', '--display-name', '管理员',
  '--password-stdin'], password + '\n');
run([...settings(port), 'user', 'add', 'cy_inspector', '--role', 'inspector', '--district', '110105',
  '--display-name', '李朝', '--password-stdin'], password + '\n');

const server = spawn(binary, [...settings(port), 'serve'], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
let serverLog = '';
server.stdout.on('data', (d) => { serverLog += d; });
server.stderr.on('data', (d) => { serverLog += d; });
let browser;
const failures = [];
const pages = []; // {name, html} for the Nu Html Checker

async function waitReady() {
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(`${base}/readyz`)).ok) return; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the server did not become ready:\n${serverLog}`);
}

let shotNumber = 0;
/** Screenshot, axe-core and the page's HTML for the checker, for the page now shown. */
async function checkPage(page, name) {
  shotNumber += 1;
  const file = `${String(shotNumber).padStart(2, '0')}-${name}`;
  await page.screenshot({ path: path.join(shots, `${file}.png`), fullPage: true });
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ['violations'] }));
  for (const v of result.violations)
    if (v.impact === 'serious' || v.impact === 'critical')
      failures.push(`axe ${v.impact} on ${name}: ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(' ')).join('; ')}`);
  pages.push({ name: file, html: lastDocument });
}

let lastDocument = '';
function trackDocuments(page) {
  page.on('response', async (response) => {
    if (response.request().resourceType() !== 'document') return;
    if (!(response.headers()['content-type'] || '').startsWith('text/html')) return;
    try { lastDocument = await response.text(); } catch { /* a redirect has no body */ }
  });
}

async function signIn(page, username) {
  await page.goto(`${base}/login`);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(password);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '登录' }).click()]);
}

/** A session over plain HTTP: cookie and the CSRF token of its forms. */
async function httpSession(username) {
  const login = await fetch(`${base}/login`);
  const loginCookie = login.headers.get('set-cookie').split(';')[0];
  const token = (await login.text()).match(/name="_csrf" value="([^"]+)"/)[1];
  const r = await fetch(`${base}/login`, {
    method: 'POST', redirect: 'manual',
    headers: { cookie: loginCookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: token, username, password, next: '/' }),
  });
  assert.equal(r.status, 303, `sign-in of ${username}`);
  const cookie = r.headers.getSetCookie().find((c) => c.startsWith('registry_session=')).split(';')[0];
  const form = await (await fetch(`${base}/facilities/new`, { headers: { cookie } })).text();
  const csrf = form.match(/name="_csrf" value="([^"]+)"/)[1];
  return { cookie, csrf };
}

/** A real PNG of `width`×`height` (RGB, one colour), for the evidence upload: browsers must decode it. */
function tinyPng(width, height) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc32 = (bytes) => {
    let c = 0xffffffff;
    for (const b of bytes) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3, 0x3c)]);
  const pixels = zlib.deflateSync(Buffer.concat(Array.from({ length: height }, () => row)));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header),
    chunk('IDAT', pixels), chunk('IEND', Buffer.alloc(0))]);
}

function post(session, url, fields) {
  return fetch(`${base}${url}`, {
    method: 'POST', redirect: 'manual',
    headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
  });
}

async function step(name, fn) {
  try {
    await fn();
    console.log(`ok - ${name}`);
  } catch (e) {
    failures.push(`${name}: ${e.stack || e}`);
    console.log(`not ok - ${name}`);
  }
}

try {
  await waitReady();
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  // axe is added as a script: the pages' Content-Security-Policy would refuse it.
  const context = await browser.newContext({ bypassCSP: true, locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  trackDocuments(page);
  const facilityName = '海淀区测试殡仪服务站<script>window.__xss=1</script>';
  let facilityUrl = '';
  let siteUrl = '';
  let evidenceUrl = ''; // the operator's photo, /attachments/{id}

  await step('signed out, any page leads to the sign-in form; a wrong password is refused', async () => {
    await page.goto(`${base}/facilities`);
    assert.match(page.url(), /\/login\?next=/);
    await checkPage(page, 'login');
    await page.getByLabel('用户名').fill('hd_inspector');
    await page.getByLabel('密码').fill('wrong-password-1');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '登录' }).click()]);
    assert.match(await page.locator('#login-error').innerText(), /用户名或密码不正确/);
    await checkPage(page, 'login-failed');
  });

  await step('the district inspector signs in and sees the dashboard of 海淀区', async () => {
    await signIn(page, 'hd_inspector');
    assert.equal(await page.locator('h1').innerText(), '首页概览');
    assert.match(await page.locator('.lead').innerText(), /海淀区/);
    assert.equal(await page.locator('svg.bars rect.bar-done').count(), 1, 'one progress bar: the own district only');
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'registry_session');
    assert.ok(session.httpOnly, 'the session cookie is HttpOnly');
    assert.equal(session.sameSite, 'Strict');
    await checkPage(page, 'dashboard');
  });

  // The dashboard's funeral-home count (its counts are cached; a write must show at once).
  const funeralHomes = async () => {
    await page.goto(`${base}/`);
    return Number(await page.locator('#h-kinds + table a[href="/facilities?kind=funeral_home"]').locator('xpath=../../td[2]').innerText());
  };
  let funeralHomesBefore;

  await step('creating a facility: errors beside their fields, typed values kept, then saved', async () => {
    funeralHomesBefore = await funeralHomes();
    await page.goto(`${base}/facilities`);
    await checkPage(page, 'facilities');
    await page.getByRole('link', { name: '登记新设施' }).click();
    await page.getByLabel('设施名称').fill('');
    await page.getByLabel('地址').fill('海淀区测试路 1 号');
    await page.getByLabel('纬度').fill('北纬四十度');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '保存' }).click()]);
    const name = page.getByLabel('设施名称');
    assert.equal(await name.getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator(`#${(await name.getAttribute('aria-describedby')).split(' ').pop()}`).innerText(), '此项为必填项');
    assert.equal(await page.getByLabel('地址').inputValue(), '海淀区测试路 1 号', 'what the user typed is kept');
    assert.equal(await page.getByLabel('纬度').inputValue(), '北纬四十度');
    assert.match(await page.locator('#e-lat').innerText(), /请填写数字/);
    await checkPage(page, 'facility-form-errors');
    await name.fill(facilityName);
    await page.getByLabel('设施类型').selectOption({ label: '殡仪馆' });
    await page.getByLabel('纬度').fill('');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '保存' }).click()]);
    assert.match(page.url(), /\/facilities\/\d+\?msg=created/);
    facilityUrl = page.url().replace(/\?.*/, '');
    // The name is text, never markup.
    assert.equal(await page.locator('h1').innerText(), facilityName);
    assert.equal(await page.evaluate(() => window.__xss), undefined, 'no script from a record ran');
    await checkPage(page, 'facility-detail');
    assert.equal(await funeralHomes(), funeralHomesBefore + 1, 'the dashboard counts the new funeral home at once');
  });

  await step('a cremation price over the cap is saved and its violation shown at once', async () => {
    await page.goto(facilityUrl);
    await page.getByRole('link', { name: '录入价格' }).click();
    await page.getByLabel('收费项目').selectOption('basic.cremation');
    await page.getByLabel('金额(元)').fill('abc');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '保存' }).click()]);
    assert.match(await page.locator('#e-amount_yuan').innerText(), /请填写金额/);
    await checkPage(page, 'price-form-errors');
    await page.getByLabel('金额(元)').fill('1,980.00');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '保存' }).click()]);
    const result = await page.locator('#checks-result').innerText();
    assert.match(result, /违反规定/);
    assert.match(result, /遗体火化 收费 1980\.00 元，超过政府定价上限/);
    await checkPage(page, 'price-saved-violation');
    await page.getByRole('link', { name: '返回设施页面' }).click();
    assert.match(await page.locator('#h-prices + table').innerText(), /遗体火化\s+¥1,980\.00/);
    assert.match(await page.locator('section[aria-labelledby="h-findings"] table').innerText(), /违规/);
  });

  await step('a stale edit shows what changed meanwhile and can be re-applied', async () => {
    await page.goto(`${facilityUrl}/edit`);
    const other = await context.newPage();
    await other.goto(`${facilityUrl}/edit`);
    await other.getByLabel('运营单位').fill('区民政局殡葬管理所');
    await Promise.all([other.waitForNavigation(), other.getByRole('button', { name: '保存' }).click()]);
    await other.close();
    await page.getByLabel('地址').fill('海淀区测试路 2 号');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '保存' }).click()]);
    const conflict = await page.locator('#conflict').innerText();
    assert.match(conflict, /已被其他人修改/);
    assert.match(conflict, /运营单位\s+\(空\)\s+区民政局殡葬管理所/, 'the other person\'s change is shown');
    assert.equal(await page.getByLabel('地址').inputValue(), '海淀区测试路 2 号', 'the user\'s value is kept');
    await checkPage(page, 'facility-conflict');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '按我的填写重新保存' }).click()]);
    assert.match(page.url(), /msg=saved/);
    const facts = await page.locator('dl.facts').innerText();
    assert.match(facts, /海淀区测试路 2 号/);
    assert.match(facts, /区民政局殡葬管理所/, 'the other change is not overwritten');
    assert.match(await page.locator('#h-history + table').innerText(), /地址:海淀区测试路 1 号 → 海淀区测试路 2 号/);
  });

  await step('an inspection with its checklist', async () => {
    await page.goto(`${facilityUrl}/inspections/new`);
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '保存' }).click()]);
    assert.match(await page.locator('#error-summary').innerText(), /请为每个检查项目选择结果/);
    await checkPage(page, 'inspection-form');
    for (const group of await page.locator('fieldset.radio-group').all())
      await group.getByLabel('符合', { exact: true }).check();
    await page.getByLabel('检查结论').selectOption('issues_found');
    await page.getByLabel('备注').fill('收费公示牌未更新');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '保存' }).click()]);
    assert.match(await page.locator('#h-inspections + table').innerText(), /发现问题.*收费公示牌未更新/s);
  });

  await step('signed out on a phone, a family finds the facility, reads its prices and compares cremation in 海淀区', async () => {
    const phone = await browser.newContext({ bypassCSP: true, locale: 'zh-CN', viewport: { width: 390, height: 844 },
                                             isMobile: true, hasTouch: true });
    const family = await phone.newPage();
    trackDocuments(family);
    await family.goto(`${base}/public/`);
    assert.equal(await family.locator('h1').innerText(), '殡葬服务价格公示');
    await family.getByLabel('单位名称或地址').fill('测试殡仪服务站');
    await family.getByLabel('所属区').selectOption({ label: '海淀区' });
    await Promise.all([family.waitForNavigation(), family.getByRole('button', { name: '查找' }).click()]);
    await checkPage(family, 'public-finder');
    // The facility was saved without coordinates: no map for it alone, and it is listed all the same.
    assert.equal(await family.locator('#facility-map').count(), 0);
    await family.goto(`${base}/public/?district=110108&kind=funeral_home`);
    const listed = await family.locator('ul.cards > li').count();
    await family.locator('#facility-map .leaflet-marker-icon').first().waitFor();
    const markers = await family.locator('#facility-map .leaflet-marker-icon').count();
    assert.ok(markers >= 1 && markers <= listed, `${markers} markers for ${listed} facilities listed`);
    await checkPage(family, 'public-finder-map');
    await family.goto(`${base}/public/?district=110108&q=${encodeURIComponent('测试殡仪服务站')}`);
    await Promise.all([family.waitForNavigation(), family.getByRole('link', { name: facilityName }).click()]);
    assert.equal(await family.locator('h1').innerText(), facilityName, 'the name is text, never markup');
    assert.equal(await family.evaluate(() => window.__xss), undefined);
    const cremation = family.locator('.cards.prices > li', { hasText: '遗体火化' });
    assert.match(await cremation.innerText(), /¥1,980\.00[\s\S]*高于限价[\s\S]*政府限价/);
    assert.equal(await cremation.locator('svg[role="img"]').count(), 1, 'a chart of the last 24 months');
    await checkPage(family, 'public-facility');
    await Promise.all([family.waitForNavigation(), cremation.getByRole('link', { name: /比较本区各单位这一项/ }).click()]);
    assert.match(await family.locator('h2').first().innerText(), /遗体火化/);
    const amounts = (await family.locator('ol.cards .amount').allInnerTexts())
      .map((t) => Number(t.match(/¥([\d,]+\.\d\d)/)[1].replace(/,/g, '')));
    assert.ok(amounts.length >= 1 && amounts.includes(1980), `the facility is compared: ${amounts}`);
    assert.deepEqual(amounts, [...amounts].sort((a, b) => a - b), 'cheapest first');
    await checkPage(family, 'public-compare');
    await phone.close();
  });

  await step('the progress of a burial site is updated', async () => {
    await page.goto(`${base}/burial-sites`);
    await checkPage(page, 'burial-sites');
    await page.getByLabel('只看已逾期').check();
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '筛选' }).click()]);
    assert.match(page.url(), /overdue=true/);
    await page.goto(`${base}/burial-sites?status=in_progress`);
    await page.locator('tbody a').first().click();
    siteUrl = page.url();
    const before = await page.locator('#h-progress + table tbody tr').count();
    await checkPage(page, 'burial-site-detail');
    await page.getByRole('link', { name: '记录整治进展' }).click();
    await page.getByLabel('本次处置坟墓数').fill('100000');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '保存' }).click()]);
    assert.match(await page.locator('#e-graves_handled').innerText(), /累计处置数不能超过坟墓总数/);
    await checkPage(page, 'progress-form-errors');
    await page.getByLabel('本次处置坟墓数').fill('1');
    await page.getByLabel('说明').fill('迁出 1 座');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '保存' }).click()]);
    assert.match(await page.locator('.alert.ok').innerText(), /整治进展已记录/);
    assert.equal(await page.locator('#h-progress + table tbody tr').count(), before + 1);
    assert.match(await page.locator('#h-progress + table').innerText(), /迁出 1 座/);
  });

  await step('district IT runs an audit of 海淀区, follows it live and sees the finding in its report', async () => {
    const itContext = await browser.newContext({ bypassCSP: true, locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
    const it = await itContext.newPage();
    trackDocuments(it);
    await signIn(it, 'hd_it');
    await it.goto(`${base}/audits`);
    await checkPage(it, 'audits');
    await Promise.all([it.waitForNavigation(), it.getByRole('button', { name: '立即核查' }).click()]);
    assert.match(it.url(), /\/audits\/\d+$/);
    // The page's script follows the run and reloads the page when it has finished.
    await it.locator('#audit-status', { hasText: '已完成' }).waitFor({ timeout: 120000 });
    const report = await it.locator('main').innerText();
    assert.match(report, /核查报告/);
    assert.match(report, /price\.above_cap/);
    await checkPage(it, 'audit-report');
    const csv = await itContext.request.get(`${it.url()}/report.csv`);
    assert.equal(csv.status(), 200);
    assert.match(await csv.text(), /price\.above_cap/);
    await Promise.all([it.waitForNavigation(), it.getByRole('link', { name: '查看本次核查发现的问题' }).click()]);
    assert.match(await it.locator('tbody').innerText(), /遗体火化 收费 1980\.00 元/);
    await checkPage(it, 'audit-findings');
    await itContext.close();
  });

  await step('district IT tries a plugin version in a dry run and reads what it would change', async () => {
    const tokenAnswer = await fetch(`${base}/api/v1/auth/token`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'hd_it', password }),
    });
    assert.equal(tokenAnswer.status, 200);
    const auth = { authorization: `Bearer ${(await tokenAnswer.json()).token}`, 'content-type': 'application/json' };
    const source = `return {
  name = "haidian.web-cap", version = "1.0.0", description = "海淀区:火化费上限(浏览器测试)",
  checks = { price = function(p, ctx)
    if p.item == "basic.cremation" and p.amount_fen > 150000 then
      ctx.finding{ rule = "price.haidian_web_cap", severity = "violation", message = p.facility_name .. " 火化费超过 1500 元" }
    end
  end },
}`;
    const tests = `return {
  { name = "1980 元超限", price = { item = "basic.cremation", amount_fen = 198000 },
    expect = { { rule = "price.haidian_web_cap", severity = "violation" } } },
  { name = "600 元不超限", price = { item = "basic.cremation", amount_fen = 60000 }, expect = {} },
}`;
    const submitted = await fetch(`${base}/api/v1/plugins`, { method: 'POST', headers: auth, body: JSON.stringify({ source, tests }) });
    assert.equal(submitted.status, 201, await submitted.text());
    const dry = await fetch(`${base}/api/v1/plugins/haidian.web-cap/versions/1.0.0/dry-run`, { method: 'POST', headers: auth });
    assert.equal(dry.status, 202);
    const { id } = await dry.json();
    const itContext = await browser.newContext({ bypassCSP: true, locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
    const it = await itContext.newPage();
    trackDocuments(it);
    await signIn(it, 'hd_it');
    await it.goto(`${base}/audits/${id}`);
    await it.locator('#audit-status', { hasText: '已完成' }).waitFor({ timeout: 120000 });
    const text = await it.locator('main').innerText();
    assert.match(text, /插件试运行/);
    assert.match(text, /haidian\.web-cap 1\.0\.0/);
    assert.match(text, /启用后的变化/);
    const change = it.locator('tbody tr', { hasText: '火化费超过 1500 元' });
    assert.match(await change.first().innerText(), /会新增\s+price\.haidian_web_cap/);
    assert.match(text, /本次运行的插件版本/);
    assert.equal(await it.getByRole('link', { name: '查看本次核查发现的问题' }).count(), 0, 'a dry run has no findings to list');
    await checkPage(it, 'dry-run-report');
    await it.goto(`${base}/audits`);
    assert.match(await it.locator('tbody tr', { hasText: `#${id}` }).innerText(), /试运行/);
    const findings = await fetch(`${base}/api/v1/findings?rule=price.haidian_web_cap`, { headers: auth });
    assert.equal((await findings.json()).items.length, 0, 'a dry run writes no finding');
    await itContext.close();
  });

  await step('district IT uploads a version on the plugins page, dry-runs it, activates and deactivates it', async () => {
    const itContext = await browser.newContext({ bypassCSP: true, locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
    const it = await itContext.newPage();
    trackDocuments(it);
    await signIn(it, 'hd_it');
    await it.goto(`${base}/plugins`);
    const source = `return {
  name = "haidian.page-cap", version = "1.0.0", description = "海淀区:火化费上限(网页上传)",
  checks = { price = function(p, ctx)
    if p.item == "basic.cremation" and p.amount_fen > 150000 then
      ctx.finding{ rule = "price.haidian_page_cap", severity = "violation", message = p.facility_name .. " 火化费超过 1500 元" }
    end
  end },
}`;
    const wrong = `return {
  { name = "1980 元不算超限", price = { item = "basic.cremation", amount_fen = 198000 }, expect = {} },
}`;
    await it.getByLabel('插件源码').fill(source);
    await it.getByLabel('测试文件', { exact: true }).fill(wrong);
    await Promise.all([it.waitForNavigation(), it.getByRole('button', { name: '运行测试并提交' }).click()]);
    assert.match(await it.locator('main').innerText(), /1980 元不算超限\s+未通过/);
    assert.equal(await it.getByLabel('插件源码').inputValue(), source, 'the source typed is kept');
    await checkPage(it, 'plugin-upload-failed');
    // The fixed test file, chosen with the file picker as an author has it on disk: it stands for the
    // text in the box above.
    const fixedTests = `return {
  { name = "1980 元超限", price = { item = "basic.cremation", amount_fen = 198000 },
    expect = { { rule = "price.haidian_page_cap", severity = "violation" } } },
}`;
    await it.getByLabel('测试文件(_test.lua)').setInputFiles({
      name: 'page_cap_test.lua', mimeType: 'text/plain', buffer: Buffer.from(fixedTests) });
    await Promise.all([it.waitForNavigation(), it.getByRole('button', { name: '运行测试并提交' }).click()]);
    assert.match(it.url(), /\/plugins\/haidian\.page-cap\?msg=submitted$/);
    assert.match(await it.locator('.alert.ok').innerText(), /测试全部通过/);
    assert.match(await it.locator('tbody').innerText(), /1\.0\.0\s+草稿/);
    // The one case runs every line: the coverage column says so.
    assert.match(await it.locator('thead').innerText(), /测试覆盖的代码行/);
    assert.match(await it.locator('tbody').innerText(), /(\d+)\/\1 \(100%\)/);
    await checkPage(it, 'plugin-versions');
    await Promise.all([it.waitForNavigation(), it.getByRole('button', { name: '试运行 1.0.0' }).click()]);
    assert.match(it.url(), /\/audits\/\d+$/);
    await it.locator('#audit-status', { hasText: '已完成' }).waitFor({ timeout: 120000 });
    assert.match(await it.locator('main').innerText(), /会新增\s+price\.haidian_page_cap/);
    await checkPage(it, 'dry-run-activate');
    // The report, then the button: activate the version just tried.
    await Promise.all([it.waitForNavigation(), it.getByRole('button', { name: '启用 haidian.page-cap 1.0.0' }).click()]);
    assert.match(it.url(), /\/plugins\/haidian\.page-cap\?msg=activated$/);
    assert.match(await it.locator('.alert.ok').innerText(), /已启用/);
    assert.match(await it.locator('tbody').innerText(), /1\.0\.0\s+运行中/);
    // A second version, then back to the first: rolling back is activating the older version again.
    await it.goto(`${base}/plugins`);
    await it.getByLabel('插件源码').fill(source.replace('"1.0.0"', '"1.1.0"').replace('150000', '120000'));
    await it.getByLabel('测试文件', { exact: true }).fill(fixedTests);
    await Promise.all([it.waitForNavigation(), it.getByRole('button', { name: '运行测试并提交' }).click()]);
    assert.match(it.url(), /\/plugins\/haidian\.page-cap\?msg=submitted$/);
    await Promise.all([it.waitForNavigation(), it.getByRole('button', { name: '启用 1.1.0' }).click()]);
    assert.match(await it.locator('tbody').innerText(), /1\.1\.0\s+运行中[\s\S]*1\.0\.0\s+已停用/);
    await Promise.all([it.waitForNavigation(), it.getByRole('button', { name: '启用 1.0.0' }).click()]);
    assert.match(await it.locator('.alert.ok').innerText(), /已启用/);
    assert.match(await it.locator('tbody').innerText(), /1\.1\.0\s+已停用[\s\S]*1\.0\.0\s+运行中/);
    await it.goto(`${base}/plugins`);
    assert.match(await it.locator('tbody tr', { hasText: 'haidian.page-cap' }).innerText(), /正常运行/);
    await it.goto(`${base}/plugins/haidian.page-cap`);
    await Promise.all([it.waitForNavigation(), it.getByRole('button', { name: '停用' }).click()]);
    assert.match(await it.locator('.alert.ok').innerText(), /已停用/);
    assert.match(await it.locator('tbody').innerText(), /1\.0\.0\s+已停用/);
    await itContext.close();
  });

  await step('findings: waiving needs a note; then the selected finding is waived', async () => {
    await page.goto(`${base}/findings?status=open&rule=price.above_cap`);
    await checkPage(page, 'findings');
    const row = page.locator('tbody tr', { hasText: '1980.00' });
    await row.locator('input[type=checkbox]').check();
    await page.getByLabel('处理方式').selectOption('waived');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '处理选中的问题' }).click()]);
    assert.equal(await page.getByLabel('处理说明').getAttribute('aria-invalid'), 'true');
    assert.ok(await page.locator('tbody tr', { hasText: '1980.00' }).locator('input[type=checkbox]').isChecked(), 'the selection is kept');
    await checkPage(page, 'findings-waive-without-note');
    await page.getByLabel('处理说明').fill('经核实为临时调价,已责令恢复');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '处理选中的问题' }).click()]);
    assert.match(await page.locator('.alert.ok').innerText(), /已处理的问题数: 1/);
    await page.goto(`${base}/findings?status=waived&rule=price.above_cap`);
    assert.match(await page.locator('tbody').innerText(), /经核实为临时调价/);
  });

  await step('import: every bad row is listed before anything is stored; a good list is imported', async () => {
    await page.goto(`${base}/import`);
    await checkPage(page, 'import');
    const code = await (async () => {
      await page.goto(facilityUrl);
      return (await page.locator('dl.facts dd').first().innerText()).trim();
    })();
    const bad = 'facility_code,item,amount_yuan,effective_from,displayed,bundled\n' +
      `${code},basic.transport,abc,2030-01-01,true,false\n${code},basic.storage,100,not-a-date,true,false\n`;
    await page.goto(`${base}/import`);
    await page.getByLabel('价格表文件(CSV)').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '检查价格表' }).click()]);
    const problems = await page.locator('table').innerText();
    assert.match(problems, /^2\t/m, 'line 2 is listed');
    assert.match(problems, /^3\t/m, 'line 3 is listed');
    await checkPage(page, 'import-problems');
    const good = 'facility_code,item,amount_yuan,effective_from,displayed,bundled\n' +
      `${code},basic.transport,300,2030-01-01,true,false\n`;
    await page.getByLabel('价格表文件(CSV)').setInputFiles({ name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '检查价格表' }).click()]);
    assert.match(await page.locator('#import-result').innerText(), /检查通过,尚未导入/);
    await checkPage(page, 'import-preview');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '确认导入' }).click()]);
    assert.match(await page.locator('#import-result').innerText(), /已导入价格记录 1/);
    await page.goto(facilityUrl);
    assert.match(await page.locator('#h-prices + table').innerText(), /遗体接运\s+¥300\.00/);
  });

  await step('exports download with the session', async () => {
    await page.goto(`${base}/exports`);
    await checkPage(page, 'exports');
    const csv = await context.request.get(`${base}/exports/facilities?format=csv`);
    assert.equal(csv.status(), 200);
    const text = await csv.text();
    assert.ok(text.includes('海淀区测试殡仪服务站<script>'), 'the new facility is exported');
    const geo = await context.request.get(`${base}/exports/burial-sites?format=geojson`);
    assert.equal(JSON.parse(await geo.text()).type, 'FeatureCollection');
  });

  await step('plugins status and the English switch', async () => {
    await page.goto(`${base}/plugins`);
    assert.match(await page.locator('tbody').innerText(), /common\.basic-service-cap/);
    await checkPage(page, 'plugins');
    await page.goto(`${base}/?lang=en`);
    assert.equal(await page.locator('h1').innerText(), 'Dashboard');
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    await checkPage(page, 'dashboard-en');
    await page.goto(`${base}/?lang=zh`);
    assert.equal(await page.locator('h1').innerText(), '首页概览');
  });

  await step('the other forms and pages: burial-site forms, a price record', async () => {
    await page.goto(`${base}/burial-sites/new`);
    await page.getByLabel('乡镇(街道)').fill('温泉镇');
    await page.getByLabel('坟墓总数').fill('0');
    await page.getByLabel('耕地').check();
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '保存' }).click()]);
    assert.equal(await page.getByLabel('乡镇(街道)').inputValue(), '温泉镇');
    assert.ok(await page.getByLabel('耕地').isChecked(), 'the ticked zone is kept');
    assert.equal(await page.getByLabel('坟墓总数').getAttribute('aria-invalid'), 'true');
    await checkPage(page, 'burial-site-form-errors');
    await page.getByLabel('坟墓总数').fill('12');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '保存' }).click()]);
    assert.match(page.url(), /\/burial-sites\/\d+\?msg=created/);
    await page.getByRole('link', { name: '修改' }).click();
    await checkPage(page, 'burial-site-edit');
    await page.goto(siteUrl + '/inspections/new');
    await checkPage(page, 'burial-site-inspection');
    await page.goto(facilityUrl);
    await page.locator('#h-prices + table a').first().click();
    assert.match(await page.locator('dl.facts').innerText(), /遗体/);
    await checkPage(page, 'price-record');
  });

  await step('an administrator adds a user; a short password is refused beside its field', async () => {
    const adminContext = await browser.newContext({ bypassCSP: true, locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
    const admin = await adminContext.newPage();
    trackDocuments(admin);
    await signIn(admin, 'city_admin');
    assert.match(await admin.locator('.lead').innerText(), /全市/);
    await admin.goto(`${base}/users`);
    await admin.getByLabel('用户名').fill('xc_inspector');
    await admin.getByLabel('角色').selectOption('inspector');
    await admin.getByLabel('所属区').selectOption('110102');
    await admin.getByLabel('密码').fill('short');
    await Promise.all([admin.waitForNavigation(), admin.getByRole('button', { name: '添加用户' }).click()]);
    assert.equal(await admin.getByLabel('密码').getAttribute('aria-invalid'), 'true');
    assert.equal(await admin.getByLabel('密码').inputValue(), '', 'a password is never sent back');
    await checkPage(admin, 'users-errors');
    await admin.getByLabel('密码').fill(password);
    await Promise.all([admin.waitForNavigation(), admin.getByRole('button', { name: '添加用户' }).click()]);
    assert.match(await admin.locator('tbody').innerText(), /xc_inspector/);
    await adminContext.close();
  });

  await step('an operator files its price list, sees the violation and its finding, and reaches no other facility', async () => {
    // The administrator makes the account with the facility's code, as its page shows it.
    const adminContext = await browser.newContext({ bypassCSP: true, locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
    const admin = await adminContext.newPage();
    trackDocuments(admin);
    await signIn(admin, 'city_admin');
    await admin.goto(facilityUrl);
    const code = (await admin.locator('dl.facts dd').first().innerText()).trim();
    assert.match(code, /^F-110108-/);
    await admin.goto(`${base}/users`);
    await admin.getByLabel('用户名').fill('hd_operator');
    await admin.getByLabel('角色').selectOption('operator');
    await admin.getByLabel('所属单位').fill(code);
    await admin.getByLabel('密码').fill(password);
    await Promise.all([admin.waitForNavigation(), admin.getByRole('button', { name: '添加用户' }).click()]);
    const facilityId = new URL(facilityUrl).pathname.split('/').pop();
    assert.match(await admin.locator('tbody').innerText(), new RegExp(`hd_operator\\s+经营单位人员\\s+海淀区\\s+${facilityId}\\s`));
    await adminContext.close();

    const opContext = await browser.newContext({ bypassCSP: true, locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
    const op = await opContext.newPage();
    trackDocuments(op);
    await signIn(op, 'hd_operator');
    assert.equal(new URL(op.url()).pathname, new URL(facilityUrl).pathname, 'an operator lands on its facility');
    assert.equal(await op.getByRole('link', { name: '首页概览' }).count(), 0, 'no dashboard for an operator');
    assert.equal(await op.locator('#h-inspections').count(), 0, 'the bureau\'s inspections are not its to read');
    await checkPage(op, 'operator-home');
    await op.getByRole('link', { name: '报送价格表' }).first().click();
    // What is on file is filled in; cremation was entered today, so a change today is a correction.
    assert.equal(await op.getByRole('textbox', { name: '遗体火化' }).inputValue(), '1980.00');
    await op.getByRole('textbox', { name: '遗体火化' }).fill('2500');
    await op.getByRole('textbox', { name: '骨灰盒' }).fill('1200');
    await Promise.all([op.waitForNavigation(), op.getByRole('button', { name: '报送价格表' }).click()]);
    assert.match(await op.locator('#error-summary').innerText(), /遗体火化:.*更正说明/);
    assert.equal(await op.getByRole('textbox', { name: '骨灰盒' }).inputValue(), '1200', 'what was typed is kept');
    await checkPage(op, 'price-list-errors');
    await op.getByLabel('说明').fill('调整火化收费');
    await Promise.all([op.waitForNavigation(), op.getByRole('button', { name: '报送价格表' }).click()]);
    const result = await op.locator('#checks-result').innerText();
    assert.match(result, /部分价格违反规定/);
    const filed = await op.locator('tbody').innerText();
    assert.match(filed, /遗体火化\s+¥2,500\.00/);
    assert.match(filed, /超过政府定价上限/);
    assert.match(filed, /骨灰盒\s+¥1,200\.00[^\n]*未发现问题/);
    await checkPage(op, 'price-list-saved');
    await op.getByRole('link', { name: '返回设施页面' }).click();
    assert.match(await op.locator('#h-prices + table').innerText(), /遗体火化\s+¥2,500\.00/);
    await op.getByRole('link', { name: '问题清单' }).click();
    assert.match(await op.locator('tbody').innerText(), /超过政府定价上限/);
    await checkPage(op, 'operator-findings');
    // Another facility of its own district: not found.
    const other = await fetch(`${base}/api/v1/public/facilities?district=110108`).then((r) => r.json());
    const otherId = other.items.map((f) => f.id).find((id) => `${base}/facilities/${id}` !== facilityUrl);
    for (const url of [`${base}/facilities/${otherId}`, `${base}/facilities/${otherId}/price-list`]) {
      const r = await op.goto(url);
      assert.equal(r.status(), 404, `${url} is not found for this operator`);
    }
    assert.equal((await op.goto(`${base}/burial-sites`)).status(), 403);
    await opContext.close();

    // An inspector then sees a higher cremation price on site than was filed: the bundled rule says so.
    await page.goto(facilityUrl);
    await page.getByRole('link', { name: '录入价格' }).click();
    await page.getByLabel('收费项目').selectOption('basic.cremation');
    await page.getByLabel('金额(元)').fill('2600');
    await page.getByLabel('说明').fill('现场检查所见');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '保存' }).click()]);
    assert.match(await page.locator('#checks-result').innerText(), /检查所见 2600\.00 元高于单位自 \S+ 起备案的 2500\.00 元/);
  });

  await step('an inspector issues a notice from two findings and prints it; the operator answers; it is verified', async () => {
    await page.goto(facilityUrl);
    const boxes = page.locator('input[name="finding_ids"]');
    assert.ok(await boxes.count() >= 2, 'two open findings to choose from');
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '对选中的问题下达整改通知' }).click()]);
    assert.equal(await page.locator('#h-notice-findings + table tbody tr').count(), 2);
    await page.getByLabel('整改要求').fill('');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '下达通知' }).click()]);
    assert.equal(await page.getByLabel('整改要求').getAttribute('aria-invalid'), 'true', 'requirements are needed');
    await checkPage(page, 'notice-form-errors');
    await page.getByLabel('整改要求').fill('一、遗体火化收费恢复至政府定价以内；\n二、在服务大厅公示全部收费项目。');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '下达通知' }).click()]);
    assert.match(await page.locator('.alert.ok').innerText(), /整改通知书已下达/);
    const noticeUrl = page.url().split('?')[0];
    const number = await page.locator('h1').innerText();
    assert.match(number, /^京民殡整〔\d{4}〕110108-\d{4}号$/);
    assert.match(await page.locator('#notice-status').innerText(), /已下达/);
    assert.equal(await page.locator('#h-notice-findings + table tbody tr').count(), 2);
    await checkPage(page, 'notice-issued');

    // The A4 page: Chinese, the bureau's header, the number, the findings, a signature block; print to PDF.
    await page.getByRole('link', { name: '打印通知书' }).click();
    const sheet = await page.locator('.print-notice').innerText();
    for (const text of ['北京市民政局', '整改通知书', number, '被通知单位：海淀区测试殡仪服务站', '遗体火化', '整改期限', '签字'])
      assert.ok(sheet.includes(text), `the printed notice shows ${text}`);
    await checkPage(page, 'notice-print');
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('header.top').isVisible(), false, 'no navigation on paper');
    const pdf = await page.pdf({ format: 'A4', path: path.join(shots, 'notice.pdf') });
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    assert.ok(pdf.length > 10000, `a PDF of ${pdf.length} bytes`);
    await page.emulateMedia({ media: 'screen' });

    // The facility's operator answers it.
    const opContext = await browser.newContext({ bypassCSP: true, locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
    const op = await opContext.newPage();
    trackDocuments(op);
    await signIn(op, 'hd_operator');
    await op.getByRole('link', { name: '整改通知' }).click();
    await op.getByRole('link', { name: number }).click();
    await op.getByRole('textbox', { name: '整改情况' }).fill('火化收费已调回 550 元，价目表已在大厅张贴。');
    // First with a text file renamed .jpg: refused, saying why, and the notice is not answered.
    const evidence = op.getByLabel('证明材料（照片或 PDF）');
    await evidence.setInputFiles({ name: '价目表.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('这是文字，不是照片\n') });
    await Promise.all([op.waitForNavigation(), op.getByRole('button', { name: '提交答复' }).click()]);
    assert.match(await op.locator('#e-response_files').innerText(), /价目表\.jpg:只接受 JPEG、PNG 或 PDF 文件/);
    assert.match(await op.locator('#error-summary').innerText(), /证明材料/);
    assert.match(await op.locator('#notice-status').innerText(), /已下达/);
    assert.equal(await op.locator('.evidence img').count(), 0, 'nothing attached');
    await checkPage(op, 'notice-answer-refused-file');
    // Then with a real photo: the answer has it, shown as a thumbnail that the browser decodes.
    assert.match(await op.getByRole('textbox', { name: '整改情况' }).inputValue(), /火化收费已调回/, 'the text is kept');
    await op.getByLabel('证明材料（照片或 PDF）').setInputFiles({ name: '大厅价目表.png', mimeType: 'image/png', buffer: tinyPng(48, 32) });
    await Promise.all([op.waitForNavigation(), op.getByRole('button', { name: '提交答复' }).click()]);
    assert.match(await op.locator('#notice-status').innerText(), /已答复/);
    assert.equal(await op.getByRole('button', { name: '提交验收结果' }).count(), 0, 'an operator does not verify');
    const thumb = op.locator('.evidence img');
    assert.equal(await thumb.count(), 1);
    await thumb.scrollIntoViewIfNeeded();
    await op.waitForFunction(() => { const i = document.querySelector('.evidence img'); return i.complete && i.naturalWidth > 0; });
    assert.equal(await thumb.evaluate((i) => i.naturalWidth), 48, 'the photo itself, scaled by the browser');
    assert.match(await op.locator('.evidence').innerText(), /大厅价目表\.png/);
    evidenceUrl = await thumb.getAttribute('src');
    await checkPage(op, 'notice-answered');
    await opContext.close();

    // Re-inspected: rectified, with the re-inspection's scan, and its findings are resolved.
    await page.goto(noticeUrl);
    await page.locator('.evidence img').scrollIntoViewIfNeeded();
    await page.waitForFunction(() => { const i = document.querySelector('.evidence img'); return i.complete && i.naturalWidth > 0; });
    await page.getByLabel('验收结果').selectOption('rectified');
    await page.getByLabel('验收意见').fill('复查合格');
    await page.getByLabel('复查材料（照片或 PDF）').setInputFiles({ name: '复查记录.pdf', mimeType: 'application/pdf',
      buffer: Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n') });
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '提交验收结果' }).click()]);
    assert.match(await page.locator('#notice-status').innerText(), /已验收/);
    const scan = page.getByRole('link', { name: '复查记录.pdf' });
    assert.match(await scan.getAttribute('href'), /^\/attachments\/\d+\?download=true$/);
    const download = await page.request.get(new URL(await scan.getAttribute('href'), base).href);
    assert.equal(download.status(), 200);
    assert.equal(download.headers()['content-type'], 'application/pdf');
    assert.match(download.headers()['content-disposition'], /^attachment;/);
    const rows = await page.locator('#h-notice-findings + table tbody').innerText();
    assert.equal((rows.match(/已解决/g) || []).length, 2, rows);
    await checkPage(page, 'notice-verified');
  });

  await step('signing out ends the session', async () => {
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '退出登录' }).click()]);
    assert.match(await page.locator('.alert.ok').innerText(), /您已安全退出/);
    await page.goto(facilityUrl);
    assert.match(page.url(), /\/login\?next=/);
  });

  await step('an inspector of another district can neither see nor edit those records', async () => {
    await signIn(page, 'cy_inspector');
    assert.match(await page.locator('.lead').innerText(), /朝阳区/);
    for (const url of [facilityUrl, siteUrl]) {
      const r = await page.goto(url);
      assert.equal(r.status(), 404, `${url} is not found for another district`);
    }
    await checkPage(page, 'other-district-not-found');
    assert.match(evidenceUrl, /^\/attachments\/\d+$/);
    assert.equal((await page.goto(`${base}${evidenceUrl}`)).status(), 404, 'nor the evidence of its notices');
    const edit = await page.goto(`${facilityUrl}/edit`);
    assert.equal(edit.status(), 403);
    assert.match(await page.locator('.alert.error').innerText(), /只能操作本区/);
    await page.goto(`${base}/facilities?q=${encodeURIComponent('海淀区测试殡仪服务站')}`);
    assert.match(await page.locator('main').innerText(), /没有符合条件的记录/);
    const other = await page.goto(`${base}/facilities?district=110108`);
    assert.equal(other.status(), 403);
    const cy = await httpSession('cy_inspector');
    const r = await post(cy, `${facilityUrl.replace(base, '')}/prices/new`,
      { _csrf: cy.csrf, item: 'basic.cremation', amount_yuan: '1', effective_from: '2030-01-01', source: 'inspection' });
    assert.equal(r.status, 403, 'a write to another district is forbidden');
  });

  await step('forms without the CSRF token, with another session\'s, or after sign-out are refused', async () => {
    const hd = await httpSession('hd_inspector');
    const cy = await httpSession('cy_inspector');
    const fields = { name: 'CSRF 测试', kind: 'funeral_home', district: '110108', status: 'operating' };
    const reader = await httpSession('hd_inspector');
    const count = async () => (await (await fetch(`${base}/facilities?q=CSRF`, { headers: { cookie: reader.cookie } })).text())
      .match(/CSRF 测试/g)?.length ?? 0;
    for (const [why, body] of [['no token', fields], ['another session\'s token', { ...fields, _csrf: cy.csrf }],
      ['a wrong token', { ...fields, _csrf: hd.csrf.slice(0, -2) + 'xx' }]]) {
      const r = await post(hd, '/facilities/new', body);
      assert.equal(r.status, 403, why);
      assert.match(await r.text(), /请求被拒绝/, why);
    }
    assert.equal(await count(), 0, 'nothing was stored');
    const ok = await post(hd, '/facilities/new', { ...fields, _csrf: hd.csrf });
    assert.equal(ok.status, 303, 'the same form with the token is accepted');
    assert.equal(await count(), 1);
    assert.equal((await post(hd, '/logout', { _csrf: hd.csrf })).status, 303);
    const after = await post(hd, '/facilities/new', { ...fields, _csrf: hd.csrf });
    assert.equal(after.status, 403, 'after sign-out');
    assert.equal((await post(cy, '/logout', {})).status, 403, 'even signing out needs the token');
    assert.equal(await count(), 1, 'nothing more was stored');
  });

  await step('every page passes the Nu Html Checker', async () => {
    const dir = path.join(work, 'html');
    fs.mkdirSync(dir);
    const files = pages.filter((p) => p.html).map((p) => {
      const f = path.join(dir, `${p.name}.html`);
      fs.writeFileSync(f, p.html);
      return f;
    });
    assert.ok(files.length >= 20, `pages collected: ${files.length}`);
    const r = spawnSync('java', ['-jar', vnuJar, '--errors-only', '--format', 'json', ...files], { encoding: 'utf8' });
    const messages = JSON.parse(r.stderr || '{"messages":[]}').messages.filter((m) => m.type === 'error');
    for (const m of messages)
      failures.push(`vnu: ${path.basename(m.url || '')}:${m.lastLine}: ${m.message} [${(m.extract || '').trim()}]`);
    console.log(`vnu checked ${files.length} pages: ${messages.length} errors`);
  });
} catch (e) {
  failures.push(String(e.stack || e));
} finally {
  if (browser) await browser.close();
  server.kill('SIGTERM');
}

if (failures.length) {
  console.error(`\nweb.browser: FAILED (${failures.length}):\n- ${failures.join('\n- ')}`);
  if (/error|exception/i.test(serverLog)) console.error(`\nserver log:\n${serverLog.slice(-4000)}`);
  process.exit(1);
}
fs.rmSync(work, { recursive: true, force: true });
console.log(`web.browser: all steps passed; screenshots in ${shots}`);
