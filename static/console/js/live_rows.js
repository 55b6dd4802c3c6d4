// A list that refreshes itself: #live-rows names the server-rendered partial to fetch
// (data-live-url) and the websocket that says when (data-socket).
const box = document.getElementById("live-rows");
let timer = null;

async function refresh() {
  const response = await fetch(box.dataset.liveUrl);
  if (response.ok) box.innerHTML = await response.text(); // server-rendered, escaped by Django
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}${box.dataset.socket}`);
  socket.onopen = refresh; // catch up with whatever changed while disconnected
  socket.onmessage = () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  };
  socket.onclose = () => setTimeout(connect, 2000);
}

connect();
