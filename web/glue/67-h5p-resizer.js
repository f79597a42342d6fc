  // ==== web/glue/67-h5p-resizer.js =====================================================================
  // The child side of H5P's iframe resizer (docs/embedding.md, "Pages that load h5p-resizer.js"): a course
  // page that already loads h5p-resizer.js for its H5P activities sizes an embedded Knobs frame too, with
  // no Knobs script on the page. The exchange, all messages {context: 'h5p', action, ...}:
  //   frame -> page  hello                       (and again whenever the page says 'ready')
  //   page -> frame  hello                       the page has seen this frame
  //   frame -> page  prepareResize {scrollHeight, clientHeight}   the content's height has changed
  //   page -> frame  resizePrepared              the page set the frame to clientHeight
  //   frame -> page  resize {scrollHeight}       the page sets the frame to scrollHeight
  //   page -> frame  resize                      the page's window changed size: measure again
  // The height is the app's content height (state().embed.content_height), which does not depend on the
  // frame's own height, so sizing the frame to it never feeds back into a taller content.

  const h5p = {
    on: embed.on && inFrame,
    greeted: false,     // the page answered 'hello': it runs the resizer
    sent: -1,           // the height the page was last told
    pending: null,      // the height waiting for 'resizePrepared'
    helloHeight: null,  // the content height when the frame last said hello unanswered
  };

  // The messages carry only the action and heights, so without host= they go to whichever page embeds
  // the frame, as H5P's own frames do; with host= only to that origin.
  function h5pPost(action, data) {
    try {
      window.parent.postMessage(Object.assign({}, data, { context: 'h5p', action }), embed.host || '*');
    } catch (error) {
      console.warn('[knobs] could not send an H5P resize message:', error);
    }
  }

  function h5pResize(snapshot) {
    const height = contentHeight(snapshot);
    if (!h5p.greeted) {
      // h5p-resizer.js sends 'ready' only to frames with "h5p" in their address, so a resizer that
      // loaded after the first hello would never hear of this frame: say hello again when the content
      // changes, once per change, until a page answers.
      if (height !== null && h5p.helloHeight !== null && height !== h5p.helloHeight) {
        h5p.helloHeight = height;
        h5pPost('hello');
      }
      return;
    }
    if (h5p.pending !== null) return;
    if (height === null || height === h5p.sent) return;
    const current = document.documentElement.clientHeight;
    if (height === current) {
      // The page's resizer answers prepareResize only when something differs: nothing to do.
      h5p.sent = height;
      return;
    }
    h5p.pending = height;
    h5pPost('prepareResize', { scrollHeight: height, clientHeight: current });
  }

  function onH5pMessage(event) {
    if (event.source !== window.parent) return;
    if (embed.host && event.origin !== embed.host) return;
    const message = event.data;
    if (!message || typeof message !== 'object' || message.context !== 'h5p') return;
    switch (message.action) {
      case 'ready':            // the resizer loaded after this frame said hello
        h5pPost('hello');
        break;
      case 'hello':
      case 'resize':           // a new greeting, or the page's window changed: measure from scratch
        h5p.greeted = true;
        h5p.sent = -1;
        h5p.pending = null;
        h5pResize(safeState());
        break;
      case 'resizePrepared':
        if (h5p.pending === null) break;
        h5p.sent = h5p.pending;
        h5p.pending = null;
        h5pPost('resize', { scrollHeight: h5p.sent });
        break;
      default:
        break;
    }
  }

  function startH5pResizer() {
    if (!h5p.on) return;
    window.addEventListener('message', onH5pMessage);
    h5p.helloHeight = -1;
    h5pPost('hello');
  }
