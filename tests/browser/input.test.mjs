// Issue 21, the lesson as learners meet it: real mouse and touch input on the real app.
//  - The WebKit event order on a mouse release (pointerup, a mouseleave still inside the canvas, mouseup)
//    replayed in Chromium: the click still lands (web/glue/35-pointer-touch.js).
//  - A mouse press with no hover before it works, on a tab too.
//  - A press on the centre of any slider's handle changes nothing; a press on the track does.
//  - On a phone (390x844, DPR 3) with real touch events (CDP Input.dispatchTouchEvent, no mouse emulation):
//    a swipe on a panel body scrolls it and presses nothing, one tap switches a tab, the whole quiz and a
//    whole matching round are finished with taps only, and Copy link is in the top bar's menu and copies.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  VIEWPORTS, browserFrames, center, launchBrowser, saveArtifact, screenshotStats, waitForReady, waitFrames, withPage,
} from './lib/harness.mjs';
import { decodePng } from './lib/png.mjs';

const SITE_URL = process.env.KNOBS_SITE_URL;
if (!SITE_URL) throw new Error('KNOBS_SITE_URL is not set: run through tests/browser/run.mjs SITE_DIR');

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const state = (page) => page.evaluate(() => window.knobs.state());
const command = (page, name, args) => page.evaluate(([n, a]) => window.knobs.command(n, a), [name, args]);

async function openApp(t, options, body, url = SITE_URL) {
  return withPage(browser, t, options, async (page, context) => {
    await page.goto(url);
    await waitForReady(page);
    const cdp = await context.newCDPSession(page);
    return body(page, cdp, context);
  });
}

async function waitForState(page, predicate, arg, what) {
  try {
    await page.waitForFunction(predicate, arg, { timeout: 30000, polling: 50 });
  } catch (error) {
    error.message = `waiting for ${what}: ${error.message}`;
    throw error;
  }
}

// ---- mouse ----------------------------------------------------------------------------------------

const mouse = (cdp, type, x, y, buttons = 0) =>
  cdp.send('Input.dispatchMouseEvent', { type, x, y, button: 'left', buttons, clickCount: 1 });

// WebKit's order when a captured mouse button is released, in one task as WebKit dispatches it: pointerup,
// then boundary events on the canvas at (x, y), then mouseup at the button. Chromium's real press came before.
function releaseLikeWebKit(page, leave, at) {
  return page.evaluate(([l, a]) => {
    const canvas = document.getElementById('canvas');
    const point = (p) => ({ clientX: p.x, clientY: p.y, screenX: p.x, screenY: p.y, view: window });
    canvas.dispatchEvent(new PointerEvent('pointerup', { ...point(a), bubbles: true, pointerType: 'mouse', pointerId: 1 }));
    canvas.dispatchEvent(new MouseEvent('mouseout', { ...point(l), bubbles: true, relatedTarget: document.body }));
    canvas.dispatchEvent(new MouseEvent('mouseleave', { ...point(l), relatedTarget: document.body }));
    canvas.dispatchEvent(new MouseEvent('mouseup', { ...point(a), bubbles: true, cancelable: true, button: 0, buttons: 0, detail: 1 }));
  }, [leave, at]);
}

async function pressPlay(page, cdp) {
  const { x, y } = center((await state(page)).hit['pretrain.play']);
  await mouse(cdp, 'mouseMoved', x, y);
  await waitFrames(page, 2);
  await mouse(cdp, 'mousePressed', x, y, 1);
  await waitFrames(page, 2);
  return { x, y };
}

describe('input: mouse', () => {
  it('input: WebKit\'s order on release (pointerup, an in-canvas mouseleave, mouseup) still clicks Play', async (t) => {
    await openApp(t, VIEWPORTS.desktop, async (page, cdp) => {
      const at = await pressPlay(page, cdp);
      await releaseLikeWebKit(page, at, at);
      await waitForState(page, () => window.knobs.state().lab.pretrain.running === true || window.knobs.state().lab.pretrain.step > 0,
        null, 'Play to start training');
      await mouse(cdp, 'mouseReleased', at.x, at.y);   // Chromium's own release, after the replayed one
    });
  });

  it('input: a leave at a point outside the canvas still reaches the app', async (t) => {
    await openApp(t, VIEWPORTS.desktop, async (page, cdp) => {
      const at = await pressPlay(page, cdp);
      // The same order, but the leave is real (its point is outside the canvas): ImGui must hear it, so the
      // release that follows is not over Play.
      await releaseLikeWebKit(page, { x: -5, y: -5 }, at);
      await mouse(cdp, 'mouseReleased', at.x, at.y);
      await waitFrames(page, 6);
      const s = await state(page);
      assert.equal(s.lab.pretrain.running, false, 'the release after a real leave did not press Play');
      assert.equal(s.lab.pretrain.step, 0);
    });
  });

  it('input: a press with no hover before it switches a tab', async (t) => {
    await openApp(t, VIEWPORTS.desktop, async (page, cdp) => {
      let s = await state(page);
      // The pointer rests on another tab, so ImGui saw that one hovered on the frame before the press.
      const from = center(s.hit['tab.table']);
      await mouse(cdp, 'mouseMoved', from.x, from.y);
      await waitFrames(page, 3);
      const { x, y } = center(s.hit['tab.quiz']);
      await mouse(cdp, 'mousePressed', x, y, 1);
      await mouse(cdp, 'mouseReleased', x, y);
      await waitForState(page, () => window.knobs.state().hit['quiz.check'] !== undefined, null, 'the Quiz tab');
      s = await state(page);
      assert.ok(s.hit['quiz.check'], 'the quiz is shown');
    });
  });
});

// ---- sliders --------------------------------------------------------------------------------------

// The pixels of a rectangle (CSS px) of a screenshot, as one string to compare.
function regionKey(png, rect, scale) {
  const { width, rgba } = decodePng(png);
  const [x0, y0, w, h] = rect.map((v) => Math.round(v * scale));
  const rows = [];
  for (let y = y0; y < y0 + h; y++) {
    const start = (y * width + x0) * 4;
    rows.push(Buffer.from(rgba.subarray(start, start + w * 4)).toString('base64'));
  }
  return rows.join('|');
}

async function sliderHandles(page) {
  const s = await state(page);
  return Object.entries(s.hit)
    .filter(([id, r]) => id.endsWith('.handle') && r[1] > 0 && r[1] + r[3] < s.canvas.h - 4)
    .map(([id, r]) => ({ id: id.slice(0, -'.handle'.length), handle: r, frame: s.hit[id.slice(0, -'.handle'.length)] }));
}

describe('input: sliders', () => {
  it('input: a click on the centre of any slider\'s handle changes no value; a click on its track does', async (t) => {
    await openApp(t, VIEWPORTS.desktop, async (page) => {
      const seen = [];
      for (const panel of ['pretrain', 'inference', 'finetune', 'knobs', 'cost']) {
        assert.deepEqual(await command(page, 'open_panel', { panel }), { ok: true });
        await waitFrames(page, 4);
        for (const slider of await sliderHandles(page)) {
          await page.mouse.move(2, 790);   // nothing hovered: the slider is drawn plainly
          await waitFrames(page, 3);
          const before = await state(page);
          const shotBefore = await page.screenshot();
          const { x, y } = center(slider.handle);
          await page.mouse.click(x, y);
          await page.mouse.move(2, 790);
          await waitFrames(page, 4);
          const after = await state(page);
          const shotAfter = await page.screenshot();
          assert.deepEqual(after.settings, before.settings, `${panel}: clicking ${slider.id}'s handle changed no setting`);
          const frameRect = after.hit[slider.id];
          assert.equal(regionKey(shotAfter, frameRect, 1), regionKey(shotBefore, frameRect, 1),
            `${panel}: ${slider.id} looks the same after a click on its handle (its value did not move)`);
          seen.push(slider.id);
        }
      }
      for (const id of ['pretrain.lr', 'pretrain.batch', 'pretrain.smoothing', 'cost.throughput', 'cost.price']) {
        assert.ok(seen.includes(id), `the ${id} slider was clicked (clicked: ${seen.join(', ')})`);
      }
      // The test can tell: a click on the learning rate's track, away from the handle, moves it.
      assert.deepEqual(await command(page, 'open_panel', { panel: 'pretrain' }), { ok: true });
      await waitFrames(page, 4);
      const s = await state(page);
      const handle = s.hit['pretrain.lr.handle'];
      const frame = s.hit['pretrain.lr'];
      await page.mouse.click(frame[0] + 6, handle[1] + handle[3] / 2);
      await waitForState(page, () => window.knobs.state().settings.lr.value < 0.0001, null, 'lr at the track\'s low end');
    });
  });

  it('input: dragging the learning rate\'s handle keeps the point grabbed', async (t) => {
    await openApp(t, VIEWPORTS.desktop, async (page) => {
      const s = await state(page);
      const { x, y } = center(s.hit['pretrain.lr.handle']);
      // A press 3 px right of the handle's centre, then a drag left by 3 px: the value is where it was.
      await page.mouse.move(x + 3, y);
      await waitFrames(page, 2);
      await page.mouse.down();
      await waitFrames(page, 2);
      await page.mouse.move(x + 20, y, { steps: 4 });
      await waitFrames(page, 2);
      await page.mouse.move(x, y, { steps: 4 });
      await waitFrames(page, 2);
      await page.mouse.move(x + 3, y, { steps: 2 });   // the pointer back where it pressed
      await waitFrames(page, 3);
      await page.mouse.up();
      await waitFrames(page, 3);
      assert.equal((await state(page)).settings.lr.value, 0.01, 'back where it started: the grabbed point followed the pointer');
    });
  });
});

// ---- touch on a phone -----------------------------------------------------------------------------

const touch = (cdp, type, points) => cdp.send('Input.dispatchTouchEvent', { type, touchPoints: points });

async function tap(cdp, { x, y }) {
  await touch(cdp, 'touchStart', [{ x, y }]);
  await touch(cdp, 'touchEnd', []);
}

async function swipe(page, cdp, x, fromY, toY, steps = 10) {
  await touch(cdp, 'touchStart', [{ x, y: fromY }]);
  for (let i = 1; i <= steps; i++) {
    await touch(cdp, 'touchMove', [{ x, y: fromY + ((toY - fromY) * i) / steps }]);
    await browserFrames(page, 1);
  }
  await touch(cdp, 'touchEnd', []);
}

// Waits until the app's hit rectangles stop moving (a flung panel has stopped coasting).
async function settled(page) {
  let last = '';
  for (let i = 0; i < 400; i++) {
    await waitFrames(page, 3);
    const now = JSON.stringify((await state(page)).hit);
    if (now === last) return;
    last = now;
  }
  throw new Error('the panel never stopped moving');
}

// Swipes the panel until the control `id` is inside the screen, then returns its rectangle.
async function reveal(page, cdp, id) {
  const TOP = 110;
  for (let i = 0; i < 30; i++) {
    await settled(page);
    const s = await state(page);
    const r = s.hit[id];
    assert.ok(r, `${id} is drawn`);
    const bottom = s.canvas.h - 60;   // clear of the notices at the bottom
    if (r[1] >= TOP && r[1] + r[3] <= bottom) return r;
    const down = r[1] + r[3] > bottom;
    const distance = Math.min(250, Math.abs(down ? r[1] + r[3] - bottom : TOP - r[1]) + 40);
    // Up (content moves up) to reach what is below, down for what is above.
    // In the middle of the panel's body (its edges are the column's padding, which does not scroll).
    const x = s.canvas.w / 2;
    if (down) await swipe(page, cdp, x, 600, 600 - distance);
    else await swipe(page, cdp, x, 300, 300 + distance);
  }
  throw new Error(`could not bring ${id} into view`);
}

// Brings a panel's tab to the front with taps only: the tab itself when it is wholly in view, else the
// arrow towards it (each tap shows the next or previous tab, and the bar scrolls to it).
async function tapTab(page, cdp, panel) {
  for (let i = 0; i < 15; i++) {
    await settled(page);
    const s = await state(page);
    const r = s.hit[`tab.${panel}`];
    const prev = s.hit['all_tabs.prev'];
    assert.ok(r && prev, `tab.${panel} and the arrows are drawn`);
    if (r[0] >= 8 && r[0] + r[2] <= prev[0] - 2) {
      await tap(cdp, center(r));
      return;
    }
    await tap(cdp, center(s.hit[r[0] + r[2] > prev[0] - 2 ? 'all_tabs.next' : 'all_tabs.prev']));
  }
  throw new Error(`could not reach the ${panel} tab`);
}

async function tapControl(page, cdp, id) {
  await tap(cdp, center(await reveal(page, cdp, id)));
}

describe('input: touch on a phone', () => {
  it('input: a swipe on a panel body scrolls it and presses nothing', async (t) => {
    await openApp(t, VIEWPORTS.phone, async (page, cdp) => {
      assert.deepEqual(await command(page, 'open_panel', { panel: 'pretrain' }), { ok: true });
      await settled(page);
      const before = await state(page);
      assert.equal(before.coarse_pointer, true, 'a touch screen');
      const play = before.hit['pretrain.play'];
      // The swipe starts on the Play button itself: a scroll, not a press. 100 px: the panel scrolls about
      // 118 px in all on this phone, and it moves with the finger (then a little further, coasting).
      const { x, y } = center(play);
      await swipe(page, cdp, x, y, y - 100);
      await settled(page);
      const after = await state(page);
      assert.ok(after.hit['pretrain.play'][1] <= play[1] - 90,
        `the panel moved up with the finger (Play from y ${play[1]} to ${after.hit['pretrain.play'][1]})`);
      assert.equal(after.lab.pretrain.running, false, 'Play was not pressed');
      assert.equal(after.lab.pretrain.step, 0);
      saveArtifact('screens/phone-after-swipe.png', (await screenshotStats(page)).png);
      // And back down.
      await swipe(page, cdp, after.canvas.w / 2, 300, 700);
      await settled(page);
      assert.equal((await state(page)).hit['pretrain.play'][1], play[1], 'a swipe down scrolls back to the top');
    });
  });

  it('input: one tap switches a tab, and the tab arrows are 40 CSS px', async (t) => {
    await openApp(t, VIEWPORTS.phone, async (page, cdp) => {
      let s = await state(page);
      saveArtifact('screens/phone-start.png', (await screenshotStats(page)).png);
      for (const id of ['all_tabs.prev', 'all_tabs.next']) {
        assert.ok(s.hit[id], `${id} is drawn`);
        assert.ok(s.hit[id][2] >= 40 && s.hit[id][3] >= 40, `${id} is at least 40x40 CSS px (${s.hit[id]})`);
      }
      // Match is wholly in view beside Lifecycle: one tap brings it to the front.
      const match = s.hit['tab.matching'];
      assert.ok(match[0] >= 0 && match[0] + match[2] <= s.hit['all_tabs.prev'][0], 'the Match tab is in view');
      await tap(cdp, center(match));
      await waitForState(page, () => Object.keys(window.knobs.state().hit).some((k) => k.startsWith('match.card.')), null,
        'the Match tab after one tap');
      // The arrow brings the next tab, Quiz, to the front, on one tap.
      s = await state(page);
      await tap(cdp, center(s.hit['all_tabs.next']));
      await waitForState(page, () => window.knobs.state().hit['quiz.check'] !== undefined, null, 'the Quiz tab after one tap on ▶');
    });
  });

  it('input: the whole quiz and a whole matching round with taps only', async (t) => {
    await openApp(t, VIEWPORTS.phone, async (page, cdp) => {
      await tapTab(page, cdp, 'quiz');
      await waitForState(page, () => window.knobs.state().hit['quiz.check'] !== undefined, null, 'the quiz');
      let quiz = (await state(page)).lesson.quiz;
      for (let n = 0; n < quiz.count; n++) {
        quiz = (await state(page)).lesson.quiz;
        assert.equal(quiz.index, n, `question ${n + 1}`);
        await tapControl(page, cdp, `quiz.option.${quiz.options[0].id}`);
        await waitForState(page, (id) => window.knobs.state().lesson.quiz.options.find((o) => o.id === id).selected,
          quiz.options[0].id, `option ${quiz.options[0].id} selected`);
        await tapControl(page, cdp, 'quiz.check');
        await waitForState(page, () => window.knobs.state().lesson.quiz.checked, null, `question ${n + 1} checked`);
        if (n + 1 < quiz.count) {
          await tapControl(page, cdp, 'quiz.next');
          await waitForState(page, (i) => window.knobs.state().lesson.quiz.index === i, n + 1, `question ${n + 2}`);
        }
      }
      await waitForState(page, () => window.knobs.state().lesson.quiz.all_checked, null, 'the whole quiz answered');
      saveArtifact('screens/phone-quiz-done.png', (await screenshotStats(page)).png);

      await tapTab(page, cdp, 'matching');
      await waitForState(page, () => Object.keys(window.knobs.state().hit).some((k) => k.startsWith('match.card.')), null, 'the cards');
      const cards = (await state(page)).lesson.matching.cards;
      const terms = cards.filter((c) => c.side === 'term');
      for (const term of terms) {
        const definition = cards.find((c) => c.side === 'definition' && c.concept === term.concept);
        await tapControl(page, cdp, `match.card.${term.id}`);
        await waitForState(page, (id) => window.knobs.state().lesson.matching.cards.find((c) => c.id === id).selected,
          term.id, `${term.id} selected`);
        await tapControl(page, cdp, `match.card.${definition.id}`);
        await waitForState(page, (id) => window.knobs.state().lesson.matching.cards.find((c) => c.id === id).matched,
          term.id, `${term.id} matched`);
      }
      const matching = (await state(page)).lesson.matching;
      assert.equal(matching.complete, true, 'the round is complete');
      assert.equal(matching.mistakes, 0, 'no tap was doubled or lost');
      saveArtifact('screens/phone-matching-done.png', (await screenshotStats(page)).png);
    });
  });

  it('input: on a phone every top-bar action is reachable, and Copy link copies', async (t) => {
    await withPage(browser, t, VIEWPORTS.phone, async (page, context) => {
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: SITE_URL.replace(/\/$/, '') });
      await page.goto(SITE_URL + '#v=2&lr=0.02&seed=3');
      await waitForReady(page);
      const cdp = await context.newCDPSession(page);
      await waitForState(page, () => /lr=0\.02/.test(window.knobs.state().fragment), null, 'the link applied');
      let s = await state(page);
      for (const id of ['topbar.menu', 'topbar.help']) {
        assert.ok(s.hit[id], `${id} is drawn`);
        assert.ok(s.hit[id][0] >= 0 && s.hit[id][0] + s.hit[id][2] <= s.canvas.w, `${id} is on screen`);
        assert.ok(s.hit[id][3] >= 40, `${id} is at least 40 CSS px tall`);
      }
      await tap(cdp, center(s.hit['topbar.menu']));
      await waitForState(page, () => window.knobs.state().hit['menu.copy_link'] !== undefined, null, 'the menu');
      s = await state(page);
      saveArtifact('screens/phone-menu.png', (await screenshotStats(page)).png);
      const items = Object.keys(s.hit).filter((k) => k.startsWith('menu.') || k.startsWith('preset.'));
      assert.ok(items.some((k) => k.startsWith('preset.')), `the presets are in the menu (${items.join(', ')})`);
      for (const id of items) {
        const r = s.hit[id];
        assert.ok(r[0] >= 0 && r[0] + r[2] <= s.canvas.w && r[1] + r[3] <= s.canvas.h, `${id} is on screen`);
        assert.ok(r[3] >= 40 - 0.5, `${id} is at least 40 CSS px tall (${r[3]})`);
      }
      for (const id of ['lang', 'theme']) assert.ok(s.hit[`topbar.${id}`] || s.hit[`menu.${id}`], `${id} is reachable`);
      await tap(cdp, center(s.hit['menu.copy_link']));
      await page.waitForFunction(async () => /#v=2&.*lr=0\.02/.test(await navigator.clipboard.readText()), null,
        { timeout: 30000, polling: 100 });
    });
  });
});
