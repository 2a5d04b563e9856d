/**
 * A port for a server a test starts itself, below Linux's ephemeral range (32768–60999): a port
 * in that range can be held at any moment by an outgoing connection or another test's
 * `listen(0)`, and then the server cannot bind it.
 */
export const portBelowEphemeralRange = (): number => 20000 + Math.floor(Math.random() * 12000);
