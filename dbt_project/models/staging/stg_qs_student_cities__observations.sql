{{ stage_observations('qs_student_cities_observations') }}
