// RingBotMatrix
