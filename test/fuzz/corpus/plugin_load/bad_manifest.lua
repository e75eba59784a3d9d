return { name = "Not Dotted", version = 1, districts = { "999999", 110108 }, checks = { price = "not a function", unknown = function() end } }
