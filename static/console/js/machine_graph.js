// A state machine's page (and its revisions): the graph pans, zooms and fits.
import { zoomable } from "./graph_view.js";

zoomable(document.getElementById("graph"));
