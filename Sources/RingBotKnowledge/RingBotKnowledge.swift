// RingBotKnowledge
