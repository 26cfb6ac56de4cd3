print("streamsql")
