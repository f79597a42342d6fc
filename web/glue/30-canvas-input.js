  // ==== web/glue/30-canvas-input.js ====================================================================
  // The canvas's pixel size (CSS size x device pixel ratio, within the GPU's limit) and the input listeners
  // that must run before GLFW's: keys, the wheel, touch and paste. This is why the glue loads before knobs.js.

  // ---- canvas size and device pixel ratio ----------------------------------------------------------

  let maxCanvasSide = config.maxCanvasSide;
  let lastSize = null;   // { cssW, cssH, dpr, pxW, pxH } last applied

  function measureCanvas() {
    const rect = canvas.getBoundingClientRect();
    const cssW = Math.max(1, Math.round(rect.width));
    const cssH = Math.max(1, Math.round(rect.height));
    let dpr = Math.min(config.maxDpr, Math.max(config.minDpr, window.devicePixelRatio || 1));
    // Never ask for more pixels than the GPU can back; the effective ratio shrinks instead, so the
    // rule pixel = round(css x dpr) still holds for the numbers the C++ side receives.
    dpr = Math.min(dpr, maxCanvasSide / cssW, maxCanvasSide / cssH);
    return { cssW, cssH, dpr, pxW: Math.round(cssW * dpr), pxH: Math.round(cssH * dpr) };
  }

  let warnedSizeMismatch = false;
  function syncCanvasSize(force) {
    const size = measureCanvas();
    if (!force && lastSize && size.cssW === lastSize.cssW && size.cssH === lastSize.cssH &&
        size.dpr === lastSize.dpr) {
      return;
    }
    lastSize = size;
    // Set the pixel size ourselves first: before main() there is nobody else to do it, and after it
    // the C++ side (through glfwSetWindowSize) will find the canvas already right.
    if (canvas.width !== size.pxW) canvas.width = size.pxW;
    if (canvas.height !== size.pxH) canvas.height = size.pxH;
    if (runtime.running) {
      callExport('knobs_resize', [size.cssW, size.cssH, size.dpr]);
      if ((canvas.width !== size.pxW || canvas.height !== size.pxH) && !warnedSizeMismatch) {
        warnedSizeMismatch = true;
        console.warn(`[knobs] knobs_resize(${size.cssW}, ${size.cssH}, ${size.dpr}) left the canvas at ` +
          `${canvas.width}x${canvas.height} pixels; expected ${size.pxW}x${size.pxH} (round(css x dpr))`);
      }
    }
  }

  // DPR changes (browser zoom, moving the window to another monitor) do not always change the CSS
  // size, so a resize observer alone misses them. A resolution media query fires exactly then.
  let dprQuery = null;
  function watchDevicePixelRatio() {
    if (dprQuery) dprQuery.removeEventListener('change', onDprChange);
    dprQuery = window.matchMedia(`(resolution: ${window.devicePixelRatio || 1}dppx)`);
    dprQuery.addEventListener('change', onDprChange);
  }
  function onDprChange() {
    watchDevicePixelRatio();
    syncCanvasSize(false);
  }

  function startSizing() {
    syncCanvasSize(true);
    watchDevicePixelRatio();
    if (typeof ResizeObserver === 'function') {
      const observer = new ResizeObserver(() => syncCanvasSize(false));
      // The device-pixel box also changes when only the DPR does; browsers without it get content-box.
      try {
        observer.observe(canvas, { box: 'device-pixel-content-box' });
      } catch {
        observer.observe(canvas);
      }
    }
    window.addEventListener('resize', () => syncCanvasSize(false));
  }

  // ---- input -------------------------------------------------------------------------------------

  const canvasHasFocus = () => document.activeElement === canvas;
  const wantsKeyboard = () => runtime.running && callExport('knobs_wants_keyboard', [], 0) === 1;
  const wantsWheel = () => runtime.running && callExport('knobs_wants_wheel', [], 0) === 1;

  // Keys whose default action scrolls the page (or, in an iframe, the host page).
  const SCROLL_KEYS = new Set(['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'PageUp', 'PageDown', 'Home', 'End']);

  // keyCodes whose keydown we let through to GLFW, so the matching keyup reaches it too even if
  // focus moved in between (otherwise ImGui would see a key stuck down).
  const forwardedKeys = new Map();   // keyCode -> { key, code }
  let releasingKeys = false;

  function onKeyDown(event) {
    if (releasingKeys) return;
    if (!canvasHasFocus()) {
      // Typing in the host page or in a form field must not drive the app. Keys in the accessibility
      // mirror are its own (the browser's default actions still happen: Tab, Space, Enter, the arrow
      // keys in a radio group).
      if (mirror.root && event.target instanceof Node && mirror.root.contains(event.target)) onMirrorKey(event);
      event.stopImmediatePropagation();
      return;
    }
    if (event.key === 'Tab' && !wantsKeyboard()) {
      // Let the browser move focus out of the canvas. GLFW would preventDefault Tab (a keyboard
      // trap, worst inside an iframe), so it must not see this event at all.
      event.stopImmediatePropagation();
      return;
    }
    forwardedKeys.set(event.keyCode, { key: event.key, code: event.code });
    if (SCROLL_KEYS.has(event.key)) event.preventDefault();
  }

  function onKeyPress(event) {
    if (releasingKeys) return;
    if (!canvasHasFocus()) {
      event.stopImmediatePropagation();
      return;
    }
    // Space scrolls the page as the default action of keypress (not keydown). Cancelling it here
    // still lets GLFW, which listens after us, turn it into a character for ImGui text fields.
    if (event.key === ' ') event.preventDefault();
  }

  function onKeyUp(event) {
    if (releasingKeys) return;
    if (forwardedKeys.has(event.keyCode)) {
      forwardedKeys.delete(event.keyCode);
      return;   // GLFW saw the press, so it must see the release
    }
    event.stopImmediatePropagation();
  }

  // When the canvas loses focus with keys held (Tab out while Shift is down, a click elsewhere),
  // send GLFW the releases now; the real keyups will arrive somewhere we do not forward.
  function releaseForwardedKeys() {
    if (forwardedKeys.size === 0) return;
    const held = Array.from(forwardedKeys.entries());
    forwardedKeys.clear();
    releasingKeys = true;
    try {
      for (const [keyCode, { key, code }] of held) {
        const release = new KeyboardEvent('keyup', { key, code, bubbles: true, cancelable: true });
        // GLFW reads the legacy keyCode, which KeyboardEvent's constructor cannot set.
        Object.defineProperty(release, 'keyCode', { value: keyCode });
        Object.defineProperty(release, 'which', { value: keyCode });
        window.dispatchEvent(release);
      }
    } finally {
      releasingKeys = false;
    }
  }

  // The wheel: the canvas takes it only when the pointer is over something in the app that scrolls;
  // otherwise the event goes on to the browser, which scrolls the page (or the page around the iframe).
  function onWheel(event) {
    if (event.target !== canvas) return;
    if (!wantsWheel()) event.stopImmediatePropagation();
  }

  // Touch: Emscripten's GLFW turns both the touch events and the browser's compatibility mouse events
  // into presses, so one tap would click twice. We take the touch events, cancel them (which also
  // cancels the compatibility mouse events and the synthetic click), and replay the first finger as
  // plain mouse events on the canvas.
  let activeTouchId = null;

  function findTouch(list, id) {
    for (let i = 0; i < list.length; i++) if (list[i].identifier === id) return list[i];
    return null;
  }

  function dispatchMouse(type, point, buttons) {
    const init = {
      bubbles: true, cancelable: true, view: window, detail: type === 'mousemove' ? 0 : 1,
      clientX: point.clientX, clientY: point.clientY, screenX: point.screenX, screenY: point.screenY,
      button: 0, buttons,
    };
    canvas.dispatchEvent(new MouseEvent(type, init));
  }

  function onTouchStart(event) {
    if (event.target !== canvas) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    if (activeTouchId !== null) return;   // a second finger: ImGui has one pointer
    const touch = event.changedTouches[0];
    activeTouchId = touch.identifier;
    if (!canvasHasFocus()) canvas.focus({ preventScroll: true });
    // Move first, so ImGui knows what is under the finger before the press arrives.
    dispatchMouse('mousemove', touch, 0);
    dispatchMouse('mousedown', touch, 1);
  }

  // A touch on the canvas is the app's (no page scroll, no emulated mouse events): the finger ImGui
  // follows, or null for any other.
  function followedTouch(event) {
    if (event.target !== canvas) return null;
    event.preventDefault();
    event.stopImmediatePropagation();
    return activeTouchId === null ? null : findTouch(event.changedTouches, activeTouchId);
  }

  function onTouchMove(event) {
    const touch = followedTouch(event);
    if (touch) dispatchMouse('mousemove', touch, 1);
  }

  function onTouchEnd(event) {
    const touch = followedTouch(event);
    if (!touch) return;
    activeTouchId = null;
    dispatchMouse('mouseup', touch, 0);
  }

  function installInputHandlers() {
    const capture = { capture: true };
    const activeCapture = { capture: true, passive: false };
    window.addEventListener('keydown', onKeyDown, capture);
    window.addEventListener('keypress', onKeyPress, capture);
    window.addEventListener('keyup', onKeyUp, capture);
    window.addEventListener('wheel', onWheel, activeCapture);
    window.addEventListener('mousewheel', onWheel, activeCapture);
    // Window-level touch listeners are passive by default in Chrome; ours must be able to cancel.
    window.addEventListener('touchstart', onTouchStart, activeCapture);
    window.addEventListener('touchmove', onTouchMove, activeCapture);
    window.addEventListener('touchend', onTouchEnd, activeCapture);
    window.addEventListener('touchcancel', onTouchEnd, activeCapture);

    canvas.addEventListener('blur', releaseForwardedKeys);
    // Keep receiving mouse events while a button is held outside the canvas (dragging a slider
    // past the edge), so the release is never lost.
    canvas.addEventListener('pointerdown', (event) => {
      if (event.pointerType === 'mouse' && canvas.setPointerCapture) {
        try { canvas.setPointerCapture(event.pointerId); } catch { /* pointer already gone */ }
      }
    });
    // ImGui has its own right-click menus; the browser's would cover them.
    canvas.addEventListener('contextmenu', (event) => event.preventDefault());

    // Paste: the browser hands us the text (no clipboard permission needed). It arrives after the
    // Ctrl+V keydown and before the next frame.
    document.addEventListener('paste', (event) => {
      if (!canvasHasFocus() || !runtime.running) return;
      const text = event.clipboardData ? event.clipboardData.getData('text/plain') : '';
      event.preventDefault();
      if (text) callWithString('knobs_paste', text);
    });
  }
