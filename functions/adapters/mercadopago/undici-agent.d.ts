/**
 * undici's Agent alone (its dispatcher, pool, client and HTTP/1.1 parser), without the rest of the package
 * (fetch, WebSocket, cache, mock, the request API: about half of its bundle): this client only dispatches.
 */
declare module 'undici/lib/dispatcher/agent.js' {
  import type { Agent } from 'undici';

  const AgentClass: typeof Agent;
  export default AgentClass;
}
