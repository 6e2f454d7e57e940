// RingBotRuntime
