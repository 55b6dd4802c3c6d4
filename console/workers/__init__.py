"""Background loops above the services and integrations they drive: the scheduler (timers,
integration calls) and the event-source runner (topic deliveries, queue pollers).
console.wiring starts them; they import nothing above themselves."""
