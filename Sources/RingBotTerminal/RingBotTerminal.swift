// RingBotTerminal
