print("ringbot: under construction")
