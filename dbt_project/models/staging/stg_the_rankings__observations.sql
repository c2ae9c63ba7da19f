{{ stage_observations('the_rankings_observations') }}
