/**
 * The Redis client and the Socket.IO Redis Streams adapter, loaded only where REDIS_URL is set: most
 * installations never use them, and the client is the largest package Parley would otherwise load
 * at start (about a fifth of its start-up's module loading).
 */
export function loadRedis(): typeof import('redis') {
  return require('redis') as typeof import('redis');
}

export function loadRedisStreamsAdapter(): typeof import('@socket.io/redis-streams-adapter') {
  return require('@socket.io/redis-streams-adapter') as typeof import('@socket.io/redis-streams-adapter');
}
