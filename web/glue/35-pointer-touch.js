  // ==== web/glue/35-pointer-touch.js ===================================================================
  // The pointer before GLFW sees it: presses wait until the app has drawn the pointer where they happen,
  // boundary events that only come from releasing pointer capture are dropped, and touch becomes taps,
  // drags and scrolling. All listeners are capture-phase listeners on window, so they run before GLFW's
  // listeners on the canvas and can hold an event back (stopImmediatePropagation) or replace it.

  // ---- presses: the pointer is drawn where it is before the press -----------------------------------
  // ImGui decides what a press hits from the frame before it: a tab (and any item that allows overlap)
  // takes a press only if it was hovered on the previous frame, and a press with no move before it lands
  // where the pointer last was. So a press at a point the app has not drawn the pointer at yet (a first
  // tap, a click with no hover before it) is held: the glue moves the pointer there, waits for the app's
  // next frame, then lets the press (and anything that came after it) through, in order.

  const releasedEvents = new WeakSet();   // events the glue dispatched itself, past the hold
  const heldEvents = [];                  // mousedown/mouseup copies waiting for the app's next frame
  let lastMove = null;                    // { x, y, frame }: where GLFW last saw the pointer, and when
  let holdUntilFrame = 0;
  let holdPolling = false;

  const appFrame = () => (runtime.running ? callExport('knobs_frame', [], 0) : 0);
  // A build without knobs_frame (an older engine, the tests' stand-in app) cannot say when it drew: its
  // presses go straight through, as before.
  const canHold = () => runtime.running && exportFunction('knobs_frame') !== null;

  function mouseInit(event, overrides) {
    return {
      bubbles: true, cancelable: true, view: window, detail: event.detail,
      clientX: event.clientX, clientY: event.clientY, screenX: event.screenX, screenY: event.screenY,
      button: event.button, buttons: event.buttons,
      ctrlKey: event.ctrlKey, shiftKey: event.shiftKey, altKey: event.altKey, metaKey: event.metaKey,
      ...overrides,
    };
  }

  function release(type, init) {
    const event = new MouseEvent(type, init);
    releasedEvents.add(event);
    canvas.dispatchEvent(event);
  }

  function flushHeld() {
    holdPolling = false;
    if (heldEvents.length === 0) return;
    if (runtime.running && appFrame() < holdUntilFrame) {
      holdPolling = true;
      requestAnimationFrame(flushHeld);
      return;
    }
    for (const { type, init } of heldEvents.splice(0)) release(type, init);
  }

  function hold(type, init) {
    heldEvents.push({ type, init });
    if (!holdPolling) {
      holdPolling = true;
      requestAnimationFrame(flushHeld);
    }
  }

  function onMouseMoveSeen(event) {
    if (event.target !== canvas) return;
    if (heldEvents.length > 0 && !releasedEvents.has(event)) {
      // A move after a held press must not overtake it (the press would land where the move went).
      event.stopImmediatePropagation();
      hold('mousemove', mouseInit(event));
      return;
    }
    lastMove = { x: event.clientX, y: event.clientY, frame: appFrame() };
  }

  function onMouseButton(event) {
    if (event.target !== canvas || releasedEvents.has(event) || !canHold()) return;
    const init = mouseInit(event);
    if (heldEvents.length > 0) {
      // Something before it is held: keep the order (a release must never overtake its press).
      event.stopImmediatePropagation();
      hold(event.type, init);
      return;
    }
    if (event.type !== 'mousedown') return;
    const moved = !lastMove || lastMove.x !== event.clientX || lastMove.y !== event.clientY;
    if (moved) release('mousemove', mouseInit(event, { detail: 0, button: 0, buttons: 0 }));
    // The app has drawn a frame since it saw the pointer here: the press can go through now.
    if (!moved && appFrame() > lastMove.frame) return;
    event.stopImmediatePropagation();
    holdUntilFrame = lastMove.frame + 1;
    hold(event.type, init);
  }

  // ---- the pointer leaving: only when it really leaves ---------------------------------------------
  // A mouse press captures the pointer (below), so a drag past the canvas's edge keeps reaching GLFW. When
  // that capture is released, WebKit fires mouseout and mouseleave on the canvas, at a point still inside
  // it, before the mouseup (a known WebKit bug: extra boundary events on capture release). GLFW would tell
  // ImGui the mouse left, ImGui moves it off-screen, and the release lands outside the button: no click on
  // anything that acts on release. A boundary event while the capture is being released, at a point inside
  // the canvas, is not a leave, so GLFW never sees it; a leave at a point outside always goes through.
  let releasingCapture = false;

  function insideCanvas(event) {
    const r = canvas.getBoundingClientRect();
    return event.clientX >= r.left && event.clientX < r.right && event.clientY >= r.top && event.clientY < r.bottom;
  }

  function onPointerUp(event) {
    if (event.pointerType !== 'mouse') return;
    releasingCapture = true;
    // The mouseup that follows clears it; a page that never gets one (the button released over another
    // window) clears it after this task.
    setTimeout(() => { releasingCapture = false; }, 0);
  }

  function onBoundary(event) {
    if (event.target !== canvas || releasedEvents.has(event)) return;
    if ((releasingCapture || event.buttons !== 0) && insideCanvas(event)) event.stopImmediatePropagation();
  }

  // ---- touch: taps, drags and scrolling --------------------------------------------------------------
  // Emscripten's GLFW turns both the touch events and the browser's compatibility mouse events into
  // presses, so one tap would click twice. We take the touch events, cancel them (which also cancels the
  // compatibility mouse events and the synthetic click), and turn the first finger into what a touch
  // screen means:
  //  - the finger goes down: the pointer moves there (ImGui hovers what is under it), nothing is pressed;
  //  - it lifts without having moved far: a tap, a press and a release where it went down;
  //  - it moves further than TOUCH_SLOP_CSS, mostly up or down: the panel under it scrolls with the finger,
  //    and keeps going after it lifts, slowing down (momentum); nothing is pressed;
  //  - it moves further, mostly sideways: a press where it went down and a drag (a slider, a knob).
  const TOUCH_SLOP_CSS = 10;
  const MOMENTUM_DECAY_PER_MS = 0.996;   // the speed left after each millisecond of coasting
  const MOMENTUM_STOP = 0.02;            // CSS px per ms below which the scroll stops
  let touch = null;                      // { id, start, last, mode, samples: [{ t, x, y }] }
  let momentum = null;                   // { vx, vy, t } while a flung panel coasts

  function findTouch(list, id) {
    for (let i = 0; i < list.length; i++) if (list[i].identifier === id) return list[i];
    return null;
  }

  function pointOf(t) {
    return { clientX: t.clientX, clientY: t.clientY, screenX: t.screenX, screenY: t.screenY };
  }

  // Goes through onMouseButton like a real mouse event, so a press still waits for its hover frame.
  function dispatchMouse(type, point, buttons) {
    canvas.dispatchEvent(new MouseEvent(type, {
      bubbles: true, cancelable: true, view: window, detail: type === 'mousemove' ? 0 : 1,
      ...point, button: 0, buttons,
    }));
  }

  const scrollBy = (dx, dy) => { if (runtime.running) callExport('knobs_touch_scroll', [dx, dy]); };

  function stopMomentum() { momentum = null; }

  function coast(now) {
    if (!momentum) return;
    const dt = Math.min(50, Math.max(0, now - momentum.t));
    momentum.t = now;
    const keep = Math.pow(MOMENTUM_DECAY_PER_MS, dt);
    momentum.vx *= keep;
    momentum.vy *= keep;
    if (Math.hypot(momentum.vx, momentum.vy) < MOMENTUM_STOP) {
      momentum = null;
      return;
    }
    scrollBy(momentum.vx * dt, momentum.vy * dt);
    requestAnimationFrame(coast);
  }

  // The finger's speed over its last 100 ms, in CSS px per ms, as a scroll (the content follows the finger).
  function flingVelocity(samples) {
    const last = samples[samples.length - 1];
    let first = last;
    for (let i = samples.length - 1; i >= 0 && last.t - samples[i].t <= 100; i--) first = samples[i];
    const dt = last.t - first.t;
    return dt > 0 ? { vx: (first.x - last.x) / dt, vy: (first.y - last.y) / dt } : { vx: 0, vy: 0 };
  }

  function onTouchStart(event) {
    if (event.target !== canvas) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    stopMomentum();   // a finger on a coasting panel stops it, as on any phone
    if (touch) return;   // a second finger: ImGui has one pointer
    const t = event.changedTouches[0];
    touch = { id: t.identifier, start: pointOf(t), last: pointOf(t), mode: 'pending',
      samples: [{ t: event.timeStamp, x: t.clientX, y: t.clientY }] };
    if (!canvasHasFocus()) canvas.focus({ preventScroll: true });
    dispatchMouse('mousemove', touch.start, 0);
  }

  // A touch on the canvas is the app's (no page scroll, no emulated mouse events): the finger the glue
  // follows, or null for any other.
  function followedTouch(event) {
    if (event.target !== canvas) return null;
    event.preventDefault();
    event.stopImmediatePropagation();
    return touch ? findTouch(event.changedTouches, touch.id) : null;
  }

  function onTouchMove(event) {
    const t = followedTouch(event);
    if (!t) return;
    const dx = t.clientX - touch.start.clientX, dy = t.clientY - touch.start.clientY;
    if (touch.mode === 'pending' && Math.hypot(dx, dy) > TOUCH_SLOP_CSS) {
      touch.mode = Math.abs(dy) >= Math.abs(dx) ? 'scroll' : 'drag';
      if (touch.mode === 'drag') dispatchMouse('mousedown', touch.start, 1);
    }
    if (touch.mode === 'scroll') scrollBy(touch.last.clientX - t.clientX, touch.last.clientY - t.clientY);
    else if (touch.mode === 'drag') dispatchMouse('mousemove', pointOf(t), 1);
    touch.last = pointOf(t);
    touch.samples.push({ t: event.timeStamp, x: t.clientX, y: t.clientY });
    if (touch.samples.length > 32) touch.samples.shift();
  }

  function onTouchEnd(event) {
    const t = followedTouch(event);
    if (!t) return;
    const ended = touch;
    touch = null;
    if (ended.mode === 'pending') {
      if (event.type === 'touchcancel') return;   // the system took the touch: no tap
      dispatchMouse('mousedown', ended.start, 1);
      dispatchMouse('mouseup', ended.start, 0);
    } else if (ended.mode === 'drag') {
      dispatchMouse('mouseup', pointOf(t), 0);
    } else if (event.type === 'touchend') {
      const v = flingVelocity(ended.samples);
      if (Math.hypot(v.vx, v.vy) >= MOMENTUM_STOP) {
        momentum = { ...v, t: performance.now() };
        requestAnimationFrame(coast);
      }
    }
  }

  function installPointerHandlers() {
    const capture = { capture: true };
    const activeCapture = { capture: true, passive: false };
    window.addEventListener('mousemove', onMouseMoveSeen, capture);
    window.addEventListener('mousedown', onMouseButton, capture);
    window.addEventListener('mouseup', onMouseButton, capture);
    window.addEventListener('mouseup', () => { releasingCapture = false; });
    window.addEventListener('pointerup', onPointerUp, capture);
    window.addEventListener('mouseleave', onBoundary, capture);
    window.addEventListener('mouseout', onBoundary, capture);
    // Window-level touch listeners are passive by default in Chrome; ours must be able to cancel.
    window.addEventListener('touchstart', onTouchStart, activeCapture);
    window.addEventListener('touchmove', onTouchMove, activeCapture);
    window.addEventListener('touchend', onTouchEnd, activeCapture);
    window.addEventListener('touchcancel', onTouchEnd, activeCapture);
    // Keep receiving mouse events while a button is held outside the canvas (dragging a slider past the
    // edge), so the release is never lost.
    canvas.addEventListener('pointerdown', (event) => {
      if (event.pointerType === 'mouse' && canvas.setPointerCapture) {
        try { canvas.setPointerCapture(event.pointerId); } catch { /* pointer already gone */ }
      }
    });
  }
