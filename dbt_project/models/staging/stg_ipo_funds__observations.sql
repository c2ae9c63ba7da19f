{{ stage_observations('ipo_funds_observations') }}
