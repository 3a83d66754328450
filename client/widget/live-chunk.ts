/** The lazily loaded part of embed.js: live updates (the socket library is most of its weight). */
export { createLiveClient } from '../shared/live';
