// A list that refreshes itself: #live-rows names the server-rendered partial to fetch
// (data-live-url) and the websocket that says when (data-socket).
import { liveSocket } from "./live_socket.js";

const box = document.getElementById("live-rows");
let timer = null;

async function refresh() {
  const response = await fetch(box.dataset.liveUrl);
  if (response.ok) box.innerHTML = await response.text(); // server-rendered, escaped by Django
}

liveSocket(box.dataset.socket, {
  onOpen: refresh, // catch up with whatever changed while disconnected
  onMessage: () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  },
  first: 2000,
  longest: 2000,
});
