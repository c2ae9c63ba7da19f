{{ stage_observations('qs_rankings_observations') }}
