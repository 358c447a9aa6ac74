"""Hot spots and early warning (热点预警), sensor events (低空感知) and 政警综 linkage."""
