// A websocket to the console that opens again when it drops, waiting twice as long each
// time (up to `longest`) while `again()` says it is still wanted. Used by every live page.
export function liveSocket(path, { onOpen, onMessage, onClose, again = () => true, first = 500, longest = 10000 }) {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  let delay = first;
  let socket = null;
  function open() {
    socket = new WebSocket(`${scheme}://${location.host}${path}`);
    socket.onopen = () => {
      delay = first;
      onOpen?.(socket);
    };
    socket.onmessage = (message) => onMessage?.(message);
    socket.onclose = () => {
      onClose?.();
      if (again()) setTimeout(open, (delay = Math.min(delay * 2, longest)));
    };
  }
  open();
  return { close: () => socket.close() };
}
